"""The composition root: the one place that builds, from the settings, the stages' handlers
and the faust app a worker runs. The worker, ``newsflow process`` and the tests all build
through here; nothing below imports it.

    settings -> handler(stage)          the pure core (newsflow.services), or forward()
             -> build_app(stage)        faust app + topics + health + publisher + byte window
                                        + the stage's agent (newsflow.stage) on its input topic,
                                        its handler built beside the group join (newsflow.loading)
"""

from __future__ import annotations

from importlib import resources
from typing import Any, cast

import faust
import structlog

from newsflow import __version__, tracing
from newsflow.agent import register_stage
from newsflow.app import app_topics, create_app
from newsflow.flow import ByteWindow
from newsflow.health import Health
from newsflow.health import install as install_health
from newsflow.loading import Loading
from newsflow.metrics import set_build_info
from newsflow.publish import Publisher
from newsflow.schemas import Stage
from newsflow.services.routing import STAGE_INPUT, STAGE_OUTPUT, Handler
from newsflow.settings import Settings
from newsflow.stage import forward, refresh_lag
from newsflow.startup import Startup

log = structlog.get_logger(__name__)


def handler(settings: Settings, stage: Stage, *, enricher: Any = None) -> Handler:
    """The stage's handler: its pure core, configured; with transforms off, ``forward``."""
    if not settings.transforms:
        return forward(STAGE_OUTPUT[stage])
    # Each stage imports only its own core, when its handler is built (beside the group join,
    # see build_app): trafilatura takes 0.2 s to import, spaCy a second and the models more.
    if stage == "ingest":
        from newsflow.services.ingest.dedupe import NearDuplicateIndex  # noqa: PLC0415
        from newsflow.services.ingest.handler import ingest_handler  # noqa: PLC0415

        index = NearDuplicateIndex(
            capacity=settings.dedupe_capacity, max_distance=settings.dedupe_max_distance
        )
        return ingest_handler(settings.limits, index)
    from newsflow.services.enrich.enrich import Enricher  # noqa: PLC0415
    from newsflow.services.enrich.handler import EnrichHandler  # noqa: PLC0415

    return EnrichHandler(enricher or Enricher(limits=settings.limits))


def warm_up(settings: Settings, stage: Stage) -> None:
    """The bundled samples (plain text, HTML) through ingest's pure core, so that the first real
    message does not pay for what loads on first use: lingua's language models (0.27 s),
    trafilatura's parsers (0.07 s). Not through the handler, whose duplicate index would
    remember them. It runs with the handler's build, beside the group join. (Enrich's first
    article costs only 0.05 s more than the next.)"""
    if stage != "ingest" or not settings.transforms:
        return
    from newsflow.services.ingest.normalise import normalise_payload  # noqa: PLC0415

    samples = resources.files("newsflow.samples")
    for name in ("rotterdam-dock-strike.txt", "venice-flood-barrier.html"):
        # the default limits: an operator's tighter ones may reject a sample, and a warm-up
        # must never stop the worker (it would exit as a setup error, never restarted)
        try:
            normalise_payload(samples.joinpath(name).read_bytes())
        except Exception as exc:  # best effort: the worker starts either way
            log.warning("warm_up_failed", sample=name, error=f"{type(exc).__name__}: {exc}")


async def _log_assignment(sender: Any, *args: Any, **kwargs: Any) -> None:
    assigned = args[0] if args else kwargs.get("assigned", ())
    parts = sorted(f"{tp.topic}:{tp.partition}" for tp in assigned)
    log.info("partitions_assigned", group=sender.conf.id, partitions=parts)


def build_app(
    settings: Settings,
    stage: Stage,
    *,
    web_port: int | None = None,
    startup: Startup | None = None,
) -> faust.App:
    """The faust app of one stage's worker, with everything it runs wired in. The stage's
    handler is built in a thread while the worker starts and joins its group."""
    tracing.configure(stage)  # off unless the OTEL_* variables turn it on
    startup = startup or Startup(stage)
    window = ByteWindow(settings.buffer_bytes)
    app = create_app(settings, stage, web_port=web_port, window=window)
    app.on_partitions_assigned.connect(cast(Any, _log_assignment))  # mode types a narrower protocol

    async def _joined(_sender: Any, *_args: Any, **_kwargs: Any) -> None:
        startup.end("join")

    app.on_partitions_assigned.connect(cast(Any, _joined))

    async def _forget_revoked(_sender: Any, revoked: Any, **_kwargs: Any) -> None:
        window.forget(revoked)

    app.on_partitions_revoked.connect(cast(Any, _forget_revoked))
    topics = app_topics(app, settings)
    health = Health(startup=startup)
    install_health(app, settings, health)
    exactly_once = settings.processing_guarantee == "exactly_once"
    send = Publisher(topics, health, stage, exactly_once=exactly_once)
    source = getattr(topics, STAGE_INPUT[stage])

    def build() -> Handler:
        startup.begin("models")
        built = handler(settings, stage)
        warm_up(settings, stage)
        startup.end("models")
        return built

    loading = Loading(build, stage=stage)
    register_stage(app, source, stage, loading, settings, send=send.submit,
                   window=window)  # fmt: skip

    @app.task  # type: ignore[untyped-decorator]  # faust is untyped
    async def _models_loaded() -> None:
        enricher = getattr(await loading.loaded(), "enricher", None)
        models = ",".join(f"{m.name} {m.version}" for m in getattr(enricher, "models", []))
        set_build_info(__version__, stage, models or "-")
        health.set(models_loaded=True)

    @app.timer(settings.lag_interval)  # type: ignore[untyped-decorator]  # faust is untyped
    async def _lag() -> None:
        try:
            await refresh_lag(app.consumer)
        except Exception as exc:  # a metric: never a reason to stop the worker
            log.warning("lag_refresh_failed", error=f"{type(exc).__name__}: {exc}")

    return app
