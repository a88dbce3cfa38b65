"""A pipelined stage (newsflow/agent.py): the next batch is handled while the broker
acknowledges the one before, and offsets are still acknowledged only after their outputs are
stored, in order. The broker's acknowledgements are held back by the test (the integration
tests run the same agent through a real broker)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any

import pytest
from aiokafka.errors import MessageSizeTooLargeError

from newsflow.agent import stage_agent
from newsflow.app import app_topics, create_app
from newsflow.journal import CrashJournal
from newsflow.publish import DeliveryFailed
from newsflow.services.budget import Budget
from newsflow.services.limits import Limits
from newsflow.services.routing import Coordinates, Routed, published
from newsflow.settings import Settings
from newsflow.stage import StageRunner
from newsflow.watchdog import Watchdog

Outcomes = list[BaseException | None]


class HeldBroker:
    """A producer whose acknowledgements come when the test releases them, one batch of
    records at a time; it remembers what was queued and in which order."""

    def __init__(self) -> None:
        self.queued: list[bytes] = []
        self.held: list[asyncio.Future[Outcomes]] = []

    async def __call__(self, batch: list[Routed]) -> Awaitable[Outcomes]:
        self.queued.extend(r.value for r in batch)
        ack: asyncio.Future[Outcomes] = asyncio.get_running_loop().create_future()
        self.held.append(ack)
        return ack

    def release(self, i: int, outcome: BaseException | None = None) -> None:
        self.held[i].set_result([outcome])


def _handle(value: bytes | None, key: Any, at: Coordinates, budget: Budget) -> Routed:
    return published("normalized", f"{at.offset:032x}", b"out-" + (value or b""), "X/1")


async def _until(condition: Any, seconds: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.005)


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[Any]:
    app = create_app(Settings(data_dir=tmp_path), "ingest", loop=asyncio.get_running_loop())
    app.finalize()
    app.conf.store = "memory://"
    app.flow_control.resume()
    yield app
    thread = getattr(app._consumer, "_thread", None)  # faust's own loop, never started here
    loop = getattr(thread, "thread_loop", None)
    if loop is not None and not loop.is_running() and not loop.is_closed():
        loop.close()


def _agent(app: Any, tmp_path: Path, broker: HeldBroker, depth: int, on_crash: Any) -> Any:
    runner = StageRunner("ingest", _handle, broker, Limits(),
                         CrashJournal(tmp_path / "journal", attempts=3),
                         Watchdog("ingest", 60, on_stuck=lambda _r: None),
                         batch_max_bytes=10**6, trust_origin_header=False)  # fmt: skip
    source = app_topics(app, Settings(data_dir=tmp_path)).raw
    return stage_agent(app, source, runner, batch_size=1, batch_window=0.01, depth=depth,
                       on_crash=on_crash)  # fmt: skip


async def test_the_next_batch_is_sent_before_the_last_is_acknowledged_and_acks_keep_order(
    app: Any, tmp_path: Path
) -> None:
    broker = HeldBroker()
    agent = _agent(app, tmp_path, broker, depth=2, on_crash=lambda *a: pytest.fail(str(a)))
    async with agent.test_context() as ctx:
        first = await ctx.put(b"one", wait=False)
        second = await ctx.put(b"two", wait=False)
        # both batches handled and queued while the first still waits for the broker
        await _until(lambda: broker.queued == [b"out-one", b"out-two"])
        assert not first.message.acked and not second.message.acked
        broker.release(1)  # the second batch is stored first: its offset still waits
        await asyncio.sleep(0.05)
        assert not first.message.acked and not second.message.acked
        third = await ctx.put(b"three", wait=False)
        await asyncio.sleep(0.05)  # depth 2: nothing more is taken while two are in flight
        assert broker.queued == [b"out-one", b"out-two"]
        broker.release(0)
        await _until(lambda: first.message.acked and second.message.acked)
        await _until(lambda: broker.queued[-1:] == [b"out-three"])
        assert not third.message.acked
        broker.release(2)
        await _until(lambda: third.message.acked)
        await _until(lambda: ctx.processed_offset == 3)  # every batch's outputs yielded
    assert [r.value for r in ctx.results.values()] == [b"out-one", b"out-two", b"out-three"]


async def test_depth_one_waits_for_each_batch_before_taking_the_next(
    app: Any, tmp_path: Path
) -> None:
    broker = HeldBroker()
    agent = _agent(app, tmp_path, broker, depth=1, on_crash=lambda *a: pytest.fail(str(a)))
    async with agent.test_context() as ctx:
        await ctx.put(b"one", wait=False)
        await ctx.put(b"two", wait=False)
        await _until(lambda: broker.queued == [b"out-one"])
        await asyncio.sleep(0.05)
        assert broker.queued == [b"out-one"]
        broker.release(0)
        await _until(lambda: broker.queued == [b"out-one", b"out-two"])
        broker.release(1)
        await _until(lambda: ctx.processed_offset == 2)


async def test_a_failed_batch_crashes_the_stage_and_no_later_offset_is_acknowledged(
    app: Any, tmp_path: Path
) -> None:
    """The second batch is stored, but the first one's dead letter is refused: the stage
    ends (the crash hook, once), and the stored second batch's offset is not acknowledged,
    so both come again from the committed position."""
    broker = HeldBroker()
    crashes: list[tuple[str, BaseException]] = []
    agent = _agent(app, tmp_path, broker, depth=2,
                   on_crash=lambda stage, exc: crashes.append((stage, exc)))  # fmt: skip
    async with agent.test_context() as ctx:
        first = await ctx.put(b"one", wait=False)
        second = await ctx.put(b"two", wait=False)
        await _until(lambda: len(broker.held) == 2)
        broker.release(1)
        for refused in range(3):  # the output, its dead letter, the truncated dead letter
            await _until(lambda n=refused: len(broker.held) == 2 + n)
            broker.release(0 if refused == 0 else 1 + refused, MessageSizeTooLargeError())
        await _until(lambda: bool(crashes))
        await asyncio.sleep(0.05)
        assert not first.message.acked and not second.message.acked
        assert ctx.processed_offset == 0  # nothing yielded: the agent ended with the error
    ((stage, error),) = crashes
    assert stage == "ingest" and isinstance(error, DeliveryFailed)
    assert "raw:0:0 was refused" in str(error)
