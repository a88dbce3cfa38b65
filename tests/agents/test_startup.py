"""A worker's start: the one ``worker_ready`` line with its phases, and a handler built in a
thread beside the group join (newsflow/loading.py) that the agent waits for. Behaviour only:
how long a start takes is bench/startup.py's to measure."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import pytest
import structlog

from newsflow import agent as agent_module
from newsflow import loading
from newsflow.agent import register_stage
from newsflow.app import app_topics, create_app
from newsflow.bootstrap import handler, warm_up
from newsflow.health import Health
from newsflow.loading import Loading
from newsflow.publish import at_once
from newsflow.schemas import NormalizedArticle
from newsflow.services.budget import Budget
from newsflow.services.routing import Coordinates, Handler, Routed
from newsflow.settings import Settings
from newsflow.stage import forward
from newsflow.startup import Startup, process_age


def _started(service: str = "ingest") -> Startup:
    startup = Startup(service)
    for phase in ("topics", "models", "join"):
        startup.begin(phase)
        startup.end(phase)
    return startup


def test_the_first_ready_logs_worker_ready_once_with_every_phase() -> None:
    health = Health(startup=_started("enrich"))
    with structlog.testing.capture_logs() as logs:
        health.set(broker_reachable=True, models_loaded=True)
        health.set(partitions_assigned=True)  # ready
        health.set(partitions_assigned=False)  # a rebalance
        health.set(partitions_assigned=True)  # ready again: not a start
    ready = [e for e in logs if e["event"] == "worker_ready"]
    assert len(ready) == 1
    line = ready[0]
    assert line["service"] == "enrich"
    phases = {k: v for k, v in line.items() if k.endswith("_s")}
    assert set(phases) == {"imports_s", "topics_s", "models_s", "join_s", "ready_s"}
    assert all(isinstance(v, float) and v >= 0 for v in phases.values())
    # imports, topics and join follow one another; models run beside the join
    assert line["ready_s"] >= line["imports_s"] + line["topics_s"] + line["join_s"]


def test_only_the_first_join_is_the_start() -> None:
    startup = Startup("ingest")
    startup.begin("join")
    startup.end("join")
    first = startup.durations["join"]
    startup.end("join")  # the next rebalance's assignment
    assert startup.durations["join"] == first


def test_the_process_start_is_read_from_proc_on_linux() -> None:
    age = process_age()
    if not Path("/proc/self/stat").exists():
        assert age is None
        return
    assert age is not None and age > 0
    assert Startup("ingest").durations["imports"] == pytest.approx(age, abs=1.0)


async def test_the_agent_waits_for_its_handler_outside_the_watchdog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Models that load for longer than ``stuck_seconds`` never count as a stuck message: the
    agent waits for the handler before it takes a batch, so nothing is in progress."""
    settings = Settings(data_dir=tmp_path, stuck_seconds=0.2)
    died: list[int] = []
    monkeypatch.setattr(agent_module.exits, "die", lambda code, *_, **__: died.append(code))
    app = create_app(settings, "ingest", loop=asyncio.get_running_loop())
    app.finalize()
    app.conf.store = "memory://"
    app.flow_control.resume()
    gate = threading.Event()

    def build() -> Handler:
        gate.wait(10)
        return forward("normalized")  # handles at once: only the wait could be "stuck"

    sent: list[Routed] = []

    async def record(batch: list[Routed]) -> Awaitable[list[BaseException | None]]:
        sent.extend(batch)
        return at_once([None] * len(batch))

    agent = register_stage(app, app_topics(app, settings).raw, "ingest",
                           Loading(build, stage="ingest"), settings, send=record)  # fmt: skip
    try:
        async with agent.test_context() as ctx:
            put = asyncio.ensure_future(ctx.put(b"an article"))
            await asyncio.sleep(0.6)  # three times stuck_seconds
            assert sent == []  # still loading: nothing handled, nothing sent
            gate.set()
            await asyncio.wait_for(put, 10)
    finally:
        gate.set()
        loop = getattr(getattr(app._consumer, "_thread", None), "thread_loop", None)
        if loop is not None and not loop.is_running() and not loop.is_closed():
            loop.close()
    assert [r.value for r in sent] == [b"an article"]
    assert died == []


def test_a_handler_that_cannot_be_built_ends_the_process_as_a_setup_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    died: list[tuple[int, str, dict[str, Any]]] = []
    done = threading.Event()

    def die(code: int, event: str, **fields: Any) -> None:
        died.append((code, event, fields))
        done.set()

    monkeypatch.setattr(loading.exits, "die", die)

    def build() -> Handler:
        raise OSError("no model at /models/ner")

    Loading(build, stage="enrich")
    assert done.wait(10)
    (code, event, fields), *_ = died
    assert (code, event) == (loading.exits.SETUP_FAILED, "handler_failed")
    assert code not in loading.exits.RESTARTABLE  # a restart would fail the same way
    assert "no model" in fields["error"]


def test_the_warm_up_leaves_no_trace_in_the_duplicate_index(samples: Path) -> None:
    """The warm-up's samples go through the pure core only: the same article arriving for
    real afterwards is not marked a duplicate of the warm-up."""
    settings = Settings()
    handle = handler(settings, "ingest")
    warm_up(settings, "ingest")
    for name in ("rotterdam-dock-strike.txt", "venice-flood-barrier.html"):
        at = Coordinates("articles.raw", 0, 0)
        routed = handle((samples / name).read_bytes(), None, at, Budget(30))
        assert routed.destination == "normalized", (name, routed.error_code)
        assert NormalizedArticle.model_validate_json(routed.value).duplicate_of is None


def test_limits_that_reject_the_samples_do_not_stop_the_warm_up() -> None:
    """An operator's limits may be tighter than the bundled samples (two paragraphs here): the
    warm-up runs with the default limits and never raises, or the worker would exit as a
    setup error that is not restarted (the dead-letter replay test hung on this)."""
    settings = Settings(limits={"max_paragraphs": 2})  # type: ignore[arg-type]  # pydantic coerces
    warm_up(settings, "ingest")  # nothing raised
