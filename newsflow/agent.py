"""A stage as a faust agent: its runner built from the settings (crash journal, watchdog,
byte window), the agent that takes batches of events through it, and what happens when an
error escapes the loop: the process ends at once (``newsflow.exits``), never a live worker with
a dead agent, never a committed offset without an output.

Pipelining (``NEWSFLOW_PIPELINE_DEPTH``, 2 by default): while the broker acknowledges one
batch's outputs, the next batch is handled and its outputs queued behind them. A batch's
offsets are acknowledged to faust (which commits them) only once its outputs are stored and
every batch before it is acknowledged, so at-least-once and the order of outputs within a
partition are those of one batch at a time. Depth 1 handles, sends and waits one batch at a
time (faust's ``take_events``), which exactly-once always uses."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

from newsflow import agentlog, exits
from newsflow.flow import ByteWindow
from newsflow.journal import CrashJournal
from newsflow.publish import DeliveryFailed, Submit
from newsflow.schemas import Stage
from newsflow.services.routing import Handler, Routed
from newsflow.stage import StageRunner
from newsflow.watchdog import Watchdog

#: Seconds a stopping stage waits for the acknowledgements of the batches it has in flight.
STOP_GRACE = 5.0


def build_runner(
    stage: Stage,
    handle: Handler,
    send: Submit,
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
    send: Submit,
    window: ByteWindow | None = None,
    on_crash: Callable[[Stage, BaseException], None] = crash,
) -> Any:
    """A stage's agent on ``source``: its handler in a runner built from the settings."""
    runner = build_runner(stage, handle, send, settings, window=window)
    depth = 1 if settings.processing_guarantee == "exactly_once" else settings.pipeline_depth
    return stage_agent(app, source, runner, batch_size=settings.batch_size,
                       batch_window=settings.batch_window, depth=depth,
                       on_crash=on_crash)  # fmt: skip


def stage_agent(
    app: Any,
    source: Any,
    runner: StageRunner,
    *,
    batch_size: int,
    batch_window: float,
    depth: int = 1,
    on_crash: Callable[[Stage, BaseException], None] = crash,
) -> Any:
    """The faust agent every stage runs: batches of up to ``batch_size`` events (or what
    arrived within ``batch_window`` seconds) through the runner, with up to ``depth`` batches
    in flight (module doc). It yields each batch's outputs once they are stored."""

    @app.agent(source, name=runner.stage)  # type: ignore[untyped-decorator]  # faust is untyped
    async def agent(stream: Any) -> AsyncIterator[Routed]:
        crashed: list[BaseException] = []

        def fail(exc: BaseException) -> None:
            if not crashed:  # once, whether the agent or a batch's wait sees it first
                crashed.append(exc)
                on_crash(runner.stage, exc)

        try:
            await runner.ready()  # the handler's models, when they load beside the group join
            if depth == 1:
                async for events in stream.take_events(batch_size, within=batch_window):
                    for routed in await runner.process_batch(events):
                        yield routed
                return
            async for routed in _pipelined(stream, runner, batch_size=batch_size,
                                           batch_window=batch_window, depth=depth,
                                           fail=fail):  # fmt: skip
                yield routed
        except Exception as exc:  # cancellation (shutdown) is not an Exception: it passes
            fail(exc)
            raise

    return agent


async def _pipelined(
    stream: Any,
    runner: StageRunner,
    *,
    batch_size: int,
    batch_window: float,
    depth: int,
    fail: Callable[[BaseException], None],
) -> AsyncIterator[Routed]:
    """Batches taken without faust's acks (``noack_take``), each in a task of its own: handled
    and sent in its turn (``StageRunner.start_batch``), then acknowledged once its outputs are
    stored and the batch before it is acknowledged. Outputs are yielded as batches finish,
    whether or not another batch comes."""
    flight = _InFlight(stream, runner, fail)
    batches = aiter(stream.noack_take(batch_size, within=batch_window))
    taking: asyncio.Future[Any] | None = None
    try:
        while True:
            if taking is None and len(flight.tasks) < depth:
                taking = asyncio.ensure_future(anext(batches))
            await flight.wait_for(taking)
            for routed in flight.finished():
                yield routed
            if taking is not None and taking.done():
                next_batch, taking = taking, None
                try:
                    events = next_batch.result()
                except StopAsyncIteration:
                    break
                flight.add(events)
        while flight.tasks:
            for routed in await flight.tasks.popleft():
                yield routed
    finally:  # stopping (or a failed batch): batches in flight may still be acknowledged
        if taking is not None:
            taking.cancel()
            with contextlib.suppress(BaseException):
                await taking
        await flight.settle(STOP_GRACE)


class _InFlight:
    """The batches a pipelined stage has taken and not yet acknowledged, oldest first."""

    def __init__(
        self, stream: Any, runner: StageRunner, fail: Callable[[BaseException], None]
    ) -> None:
        self.stream = stream
        self.runner = runner
        self.fail = fail
        self.tasks: deque[asyncio.Task[list[Routed]]] = deque()

    def add(self, events: Any) -> None:
        previous = self.tasks[-1] if self.tasks else None
        task = asyncio.ensure_future(self._acknowledged(events, previous))
        task.add_done_callback(self._failed)
        self.tasks.append(task)

    def _failed(self, task: asyncio.Task[list[Routed]]) -> None:
        error = None if task.cancelled() else task.exception()
        if error is not None:
            self.fail(error)  # at once, not when the agent next looks at it

    async def _acknowledged(
        self, events: Any, previous: Awaitable[list[Routed]] | None
    ) -> list[Routed]:
        """A batch's outputs once stored; its offsets acknowledged after every earlier
        batch's. Batches take their turns to be handled and sent in the order their tasks
        were made (the runner's turn is a first-come lock)."""
        routed = await (await self.runner.start_batch(events))
        if previous is not None:
            await previous  # raises if an earlier batch failed: then nothing after it is acked
        for event in events:
            await self.stream.ack(event)
        return routed

    async def wait_for(self, taking: asyncio.Future[Any] | None) -> None:
        """Until the next batch arrives or the oldest in flight is acknowledged (or fails)."""
        waits: set[asyncio.Future[Any]] = set()
        if taking is not None:
            waits.add(taking)
        if self.tasks:
            waits.add(self.tasks[0])
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)

    def finished(self) -> Iterator[Routed]:
        """The outputs of the acknowledged batches at the head, in order (raises a failed
        batch's error)."""
        while self.tasks and self.tasks[0].done():
            yield from self.tasks.popleft().result()

    async def settle(self, timeout: float) -> None:
        if self.tasks:
            _, late = await asyncio.wait(self.tasks, timeout=timeout)
            for task in late:  # not acknowledged: they come again from their offsets
                task.cancel()
