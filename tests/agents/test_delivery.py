"""The delivery shell with a fake producer: what a stage does when a send fails, in seconds
(the fault tests check the same through a real broker, in minutes)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka.errors import KafkaTimeoutError, MessageSizeTooLargeError, NotLeaderForPartitionError
from faust.exceptions import ProducerSendError

from newsflow import publish
from newsflow.agent import stage_agent
from newsflow.app import AppTopics, app_topics, create_app
from newsflow.health import Health
from newsflow.journal import CrashJournal
from newsflow.metrics import PUBLISH_RETRIES
from newsflow.publish import DeliveryFailed, Publisher, at_once, submit_outputs
from newsflow.schemas import DeadLetter
from newsflow.services.budget import Budget
from newsflow.services.errors import EmptyInput
from newsflow.services.limits import Limits
from newsflow.services.routing import Coordinates, Routed, dead_letter, published
from newsflow.settings import Settings
from newsflow.stage import StageRunner, origin_timestamp
from newsflow.watchdog import Watchdog

AT = Coordinates("raw", 0, 7)


def _sent_ok() -> asyncio.Future[None]:
    fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    fut.set_result(None)
    return fut


class FakeTopic:
    """Stands in for a faust topic and its app's producer: the producer's ``send`` raises or
    returns an acknowledgement future, as the script says for each call (an exception
    instance, or None for a stored record)."""

    by_name: dict[str, FakeTopic] = {}  # noqa: RUF012  # the one producer every topic shares

    def __init__(self, script: list[BaseException | None] | None = None) -> None:
        self.script = list(script or [])
        self.stored: list[bytes] = []
        self.name = f"fake-{id(self)}"
        FakeTopic.by_name[self.name] = self
        self.app = SimpleNamespace(maybe_start_producer=self._producer)

    async def _producer(self) -> Any:
        return SimpleNamespace(send=FakeTopic._produce)

    def get_topic_name(self) -> str:
        return self.name

    @staticmethod
    async def _produce(topic: str, key: Any, value: bytes, partition: Any, timestamp: Any,
                       headers: Any) -> Any:  # fmt: skip
        return await FakeTopic.by_name[topic].send(value)

    async def send(self, value: bytes) -> Any:
        outcome = self.script.pop(0) if self.script else None
        if isinstance(outcome, ProducerSendError):
            raise outcome  # raised inside send(), as faust does for aiokafka's errors
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if outcome is None:
            self.stored.append(value)
            fut.set_result(None)
        else:
            fut.set_exception(outcome)  # failed acknowledgement
        return fut


def wrapped(exc: BaseException) -> ProducerSendError:
    try:
        raise ProducerSendError(f"Error while sending: {exc!r}") from exc
    except ProducerSendError as outer:
        return outer


@pytest.fixture
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(publish, "FIRST_BACKOFF", 0.001)


def _publisher(
    out: FakeTopic, dead: FakeTopic | None = None, health: Health | None = None
) -> Publisher:
    dead = dead or FakeTopic()
    topics = AppTopics(raw=FakeTopic(), normalized=out, enriched=out, deadletter=dead)
    return Publisher(topics, health or Health(), "ingest", exactly_once=False)


def _article(text: bytes = b"{}") -> Routed:
    return published("normalized", "a1", text, "NormalizedArticle/1")


async def test_transient_errors_are_retried_with_backoff_and_readiness_follows(
    fast_backoff: None,
) -> None:
    health = Health()
    states: list[bool] = []
    real_set = health.set

    def spy(**values: bool) -> None:
        real_set(**values)
        states.append(health.sends_ok)

    health.set = spy  # type: ignore[method-assign]  # a spy or an injected fault in the method's place
    out = FakeTopic(
        [KafkaTimeoutError(), wrapped(KafkaTimeoutError()), NotLeaderForPartitionError()]
    )
    before = PUBLISH_RETRIES.labels("ingest")._value.get()
    assert await (await _publisher(out, health=health).submit([_article()])) == [None]
    assert out.stored == [b"{}"]
    assert PUBLISH_RETRIES.labels("ingest")._value.get() - before == 2  # first try + 2 retries
    assert states[0] is False and states[-1] is True  # not ready while failing, ready after


async def test_a_size_refusal_inside_send_is_returned_not_raised() -> None:
    """The defect: faust raises ProducerSendError from send(); it escaped and killed the agent."""
    out = FakeTopic([wrapped(MessageSizeTooLargeError("10806171 bytes"))])
    (outcome,) = await (await _publisher(out).submit([_article()]))
    assert isinstance(outcome, MessageSizeTooLargeError)


async def test_an_error_that_is_not_kafkas_stops_the_stage() -> None:
    out = FakeTopic([TypeError("a bug")])
    with pytest.raises(TypeError):
        await (await _publisher(out).submit([_article()]))


async def test_a_refused_output_becomes_a_dead_letter_then_a_truncated_one_then_fails() -> None:
    value = b"x" * 50_000
    refusal = wrapped(MessageSizeTooLargeError("too big"))
    out, dead = FakeTopic([refusal]), FakeTopic([refusal])
    send = _publisher(out, dead).submit
    (stored,) = await (
        await submit_outputs(send, "ingest", [_article()], [(value, None, AT)], max_bytes=10**6)
    )
    letter = DeadLetter.model_validate_json(stored.value)
    assert (stored.destination, letter.error_code) == ("deadletter", "output_rejected")
    assert letter.original_truncated and letter.original == value[: len(letter.original)]
    assert letter.original_size == 50_000 and letter.original_sha256
    assert dead.stored == [stored.value]  # the whole letter was refused, the truncated one sent

    never = FakeTopic([refusal] * 3)
    send = _publisher(never, never).submit
    with pytest.raises(DeliveryFailed, match="raw:0:7"):
        await (
            await submit_outputs(send, "ingest", [_article()], [(value, None, AT)], max_bytes=10**6)
        )


def _runner(tmp_path: Path, send: Any, handle: Any, **limits: Any) -> StageRunner:
    journal = CrashJournal(tmp_path, attempts=3)
    watchdog = Watchdog("ingest", 60, on_stuck=lambda _reason: None)
    return StageRunner("ingest", handle, send, Limits(**limits), journal, watchdog,
                       batch_max_bytes=1_000_000, trust_origin_header=False)  # fmt: skip


def _events(values: list[bytes]) -> list[Any]:
    return [
        SimpleNamespace(
            value=v,
            message=SimpleNamespace(key=None, topic="raw", partition=0, offset=i, headers=[],
                                    timestamp=1_700_000_000.0, tp=None),
            app=None,
        )
        for i, v in enumerate(values)
    ]  # fmt: skip


class Recorder:
    def __init__(self) -> None:
        self.sent: list[Routed] = []

    async def __call__(self, batch: list[Routed]) -> Awaitable[list[BaseException | None]]:
        self.sent.extend(batch)
        return at_once([None] * len(batch))


async def test_an_output_over_the_limit_is_dead_lettered_output_too_large(
    tmp_path: Path,
) -> None:
    def handle(value: bytes | None, key: Any, at: Coordinates, budget: Budget) -> Routed:
        return _article(b"y" * 200_000)  # an output far larger than its input

    rec = Recorder()
    runner = _runner(tmp_path, rec, handle, max_message_bytes=100_000)
    (routed,) = await runner.process_batch(_events([b"small input"]))
    letter = DeadLetter.model_validate_json(routed.value)
    assert letter.error_code == "output_too_large"
    assert letter.original == b"small input" and not letter.original_truncated
    assert "200" in letter.reason and "100000-byte limit" in letter.reason
    assert rec.sent == [routed] and routed.size <= 100_000


async def test_a_dead_letter_too_large_to_carry_its_input_keeps_a_prefix(tmp_path: Path) -> None:
    def handle(value: bytes | None, key: Any, at: Coordinates, budget: Budget) -> Routed:
        return dead_letter("ingest", EmptyInput("refused"), value=value or b"", key=key, at=at)

    runner = _runner(tmp_path, Recorder(), handle, max_message_bytes=100_000)
    big = b"z" * 90_000  # in base64 the whole input no longer fits
    (routed,) = await runner.process_batch(_events([big]))
    letter = DeadLetter.model_validate_json(routed.value)
    assert letter.original_truncated and routed.size <= 100_000
    assert big.startswith(letter.original) and letter.original_size == 90_000


async def test_a_bug_costs_one_message_and_the_batch_goes_on(tmp_path: Path) -> None:
    def handle(value: bytes | None, key: Any, at: Coordinates, budget: Budget) -> Routed:
        if value == b"bug":
            raise KeyError("injected")
        return _article(value or b"")

    rec = Recorder()
    out = await _runner(tmp_path, rec, handle).process_batch(_events([b"a", b"bug", b"c"]))
    assert [r.destination for r in out] == ["normalized", "deadletter", "normalized"]
    assert DeadLetter.model_validate_json(out[1].value).error_code == "internal_error"


async def test_a_refused_dead_letter_ends_the_process_before_the_batch_is_acked(
    tmp_path: Path,
) -> None:
    """Never a committed offset without an output: the crash hook runs while the batch is
    still unacknowledged (take_events acks it only when the agent asks for the next one)."""
    crashes: list[tuple[str, BaseException]] = []
    settings = Settings(data_dir=tmp_path)
    app = create_app(settings, "ingest", loop=asyncio.get_running_loop())
    app.finalize()
    app.conf.store = "memory://"
    app.flow_control.resume()

    async def refuse(batch: list[Routed]) -> Awaitable[list[BaseException | None]]:
        return at_once([MessageSizeTooLargeError("never")] * len(batch))

    acked_at_crash: list[bool] = []

    def on_crash(stage: str, exc: BaseException) -> None:
        crashes.append((stage, exc))
        acked_at_crash.append(any(e.message.acked for e in seen))

    seen: list[Any] = []
    real = StageRunner.process_batch

    async def spy(self: StageRunner, events: Any) -> Any:
        seen.extend(events)
        return await real(self, events)

    runner = _runner(tmp_path, refuse, lambda v, k, at, b: _article(v or b""))
    runner.process_batch = spy.__get__(runner)  # type: ignore[method-assign]  # a spy or an injected fault in the method's place
    agent = stage_agent(app, app_topics(app, settings).raw, runner, batch_size=4,
                        batch_window=0.01, on_crash=on_crash)  # fmt: skip
    with pytest.raises(DeliveryFailed):
        async with agent.test_context() as ctx:
            await ctx.put(b"one")
    assert [(s, type(e)) for s, e in crashes] == [("ingest", DeliveryFailed)]
    assert acked_at_crash == [False]
    thread = getattr(app._consumer, "_thread", None)
    loop = getattr(thread, "thread_loop", None)
    if loop is not None and not loop.is_running() and not loop.is_closed():
        loop.close()


def test_an_origin_header_is_believed_only_past_ingest_and_only_when_sane() -> None:
    def message(value: bytes) -> Any:
        return SimpleNamespace(headers=[(publish.ORIGIN_HEADER, value)], timestamp=1_700_000_000.0)

    assert origin_timestamp(message(b"1699999999.5"), trust_header=True) == 1_699_999_999.5
    assert origin_timestamp(message(b"1699999999.5"), trust_header=False) == 1_700_000_000.0
    for forged in (b"-inf", b"nan", b"inf", b"-5", b"9e99", b"soon"):
        assert origin_timestamp(message(forged), trust_header=True) == 1_700_000_000.0


class Preparing:
    """A handler with a step over the whole part first (as enrich runs its model at once)."""

    def __init__(self, fail: bool) -> None:
        self.fail = fail
        self.prepared: list[list[int]] = []

    def prepare(self, part: list[Any]) -> None:
        if self.fail:
            raise RuntimeError("the model failed on the batch")
        self.prepared.append([at.offset for _, _, at in part])

    def __call__(self, value: bytes | None, key: Any, at: Coordinates, budget: Budget) -> Routed:
        return _article(value or b"")


async def test_the_handlers_batch_step_runs_once_per_part_and_a_failure_is_only_slower(
    tmp_path: Path,
) -> None:
    ok = Preparing(fail=False)
    out = await _runner(tmp_path / "a", Recorder(), ok).process_batch(_events([b"a", b"b"]))
    assert ok.prepared == [[0, 1]] and [r.destination for r in out] == ["normalized"] * 2
    failing = Preparing(fail=True)
    out = await _runner(tmp_path / "b", Recorder(), failing).process_batch(_events([b"a", b"b"]))
    assert [r.destination for r in out] == ["normalized"] * 2  # each message handled alone
