"""A stage as a faust agent: its runner built from the settings (crash journal, watchdog,
byte window), the agent that takes batches of events through it, and what happens when an
error escapes the loop: the process ends at once (``newsflow.exits``), never a live worker with
a dead agent, never a committed offset without an output."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from newsflow import agentlog, exits
from newsflow.flow import ByteWindow
from newsflow.journal import CrashJournal
from newsflow.publish import DeliveryFailed, SendMany
from newsflow.schemas import Stage
from newsflow.services.routing import Handler, Routed
from newsflow.stage import StageRunner
from newsflow.watchdog import Watchdog


def build_runner(
    stage: Stage,
    handle: Handler,
    send: SendMany,
    settings: Any,
    *,
    window: ByteWindow | None = None,
) -> StageRunner:
    """A stage's runner from the settings: its crash journal under the data directory and a
    running watchdog that ends the process on a message stuck past ``stuck_seconds``."""
    journal = CrashJournal(settings.data_dir / stage, attempts=settings.crash_loop_attempts)
    if journal.crashes:
        agentlog.log.warning("crashed_during", stage=stage, messages=journal.died_during)
    watchdog = Watchdog(stage, settings.stuck_seconds, on_stuck=_stuck)
    watchdog.run()
    return StageRunner(stage, handle, send, settings.limits, journal, watchdog,
                       settings.batch_max_bytes, trust_origin_header=stage != "ingest",
                       window=window)  # fmt: skip


def _stuck(reason: str) -> None:
    exits.die(exits.STUCK, "worker_stuck", reason=reason)


def crash(stage: Stage, exc: BaseException) -> None:
    """What an error escaping a stage's loop does: ends the process (see module doc)."""
    if isinstance(exc, DeliveryFailed):
        exits.die(exits.DELIVERY_FAILED, "delivery_failed", stage=stage, error=str(exc))
    exits.die(exits.AGENT_CRASHED, "agent_crashed", stage=stage, error=repr(exc))


def register_stage(
    app: Any,
    source: Any,
    stage: Stage,
    handle: Handler,
    settings: Any,
    *,
    send: SendMany,
    window: ByteWindow | None = None,
    on_crash: Callable[[Stage, BaseException], None] = crash,
) -> Any:
    """A stage's agent on ``source``: its handler in a runner built from the settings."""
    runner = build_runner(stage, handle, send, settings, window=window)
    return stage_agent(app, source, runner, batch_size=settings.batch_size,
                       batch_window=settings.batch_window, on_crash=on_crash)  # fmt: skip


def stage_agent(
    app: Any,
    source: Any,
    runner: StageRunner,
    *,
    batch_size: int,
    batch_window: float,
    on_crash: Callable[[Stage, BaseException], None] = crash,
) -> Any:
    """The faust agent every stage runs: batches of up to ``batch_size`` events (or what
    arrived within ``batch_window`` seconds) through ``runner.process_batch``."""

    @app.agent(source, name=runner.stage)  # type: ignore[untyped-decorator]  # faust is untyped
    async def agent(stream: Any) -> AsyncIterator[Routed]:
        try:
            await runner.ready()  # the handler's models, when they load beside the group join
            async for events in stream.take_events(batch_size, within=batch_window):
                for routed in await runner.process_batch(events):
                    yield routed
        except Exception as exc:  # cancellation (shutdown) is not an Exception: it passes
            on_crash(runner.stage, exc)
            raise

    return agent
