"""A batch of events through a stage, the same way in every agent.

The stage's handler is a pure function of one message (bytes in, a routing decision out). The
runner calls it in the stage's own worker thread, so the event loop keeps answering health
probes and heartbeats however long a message takes, with the message's coordinates in the
crash journal and under the watchdog. A batch is handled and delivered in parts bounded by
input bytes; each part's outputs (or dead letters) are sent with one acknowledgement wait.
Then each message is logged and counted with its own coordinates bound.

``start_batch`` handles a batch and puts its outputs in the producer's queue, in order, and
returns the wait until they are stored; the agent (newsflow/agent.py) acknowledges the batch's
offsets to faust only after that wait, so at-least-once holds, and may handle the next batch
meanwhile. ``process_batch`` is both steps at once."""

from __future__ import annotations

import asyncio
import dataclasses
import math
import re
import time
from collections.abc import Awaitable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from faust.exceptions import ConsumerNotStarted

from newsflow import agentlog, tracing
from newsflow.flow import ByteWindow
from newsflow.journal import CrashJournal
from newsflow.loading import Loading
from newsflow.metrics import BATCH_SIZE, CONSUMER_LAG, END_TO_END
from newsflow.publish import ORIGIN_HEADER, TRACEPARENT_HEADER, Submit, submit_outputs
from newsflow.schemas import Stage
from newsflow.services.budget import Budget
from newsflow.services.errors import CrashLoop
from newsflow.services.limits import Limits
from newsflow.services.routing import (
    Coordinates,
    Destination,
    Handler,
    Message,
    Routed,
    dead_letter,
    fit,
    published,
)
from newsflow.watchdog import Watchdog

#: Seconds an origin timestamp may lie in the future (clock skew) and still be believed.
_SKEW = 300.0


def origin_timestamp(message: Any, *, trust_header: bool) -> float | None:
    """When the raw article entered Kafka: the header the ingest stage set (only believed on
    a stage's input that ingest wrote, never on the raw topic, where a feed could set it),
    else this message's own Kafka timestamp."""
    if trust_header:
        headers = message.headers or []
        pairs = headers.items() if isinstance(headers, dict) else headers
        for name, value in pairs:
            if name == ORIGIN_HEADER and value:
                try:
                    origin = float(value)
                except ValueError:
                    break
                if math.isfinite(origin) and 0 < origin < time.time() + _SKEW:
                    return origin
                break
    return float(message.timestamp) if message.timestamp else None


_TRACEPARENT = re.compile(rb"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")


def traceparent(message: Any) -> bytes | None:
    """The W3C ``traceparent`` header the message came with, when well formed (version, a
    trace id, a parent id, flags; never all-zero ids): carried unchanged onto its outputs, so
    a feed's trace follows the article to the enriched topic, newsflow's own tracing or not."""
    headers = message.headers or []
    pairs = headers.items() if isinstance(headers, dict) else headers
    for name, value in pairs:
        if name == TRACEPARENT_HEADER and value:
            raw = bytes(value).strip().lower()
            if _TRACEPARENT.match(raw) and raw[3:35] != b"0" * 32 and raw[36:52] != b"0" * 16:
                return raw
            return None
    return None


def _span_attributes(stage: Stage, at: Coordinates, routed: Routed) -> dict[str, Any]:
    """A message's span attributes (OpenTelemetry's messaging conventions, and newsflow's)."""
    attrs: dict[str, Any] = {
        "messaging.system": "kafka", "messaging.operation.type": "process",
        "messaging.destination.name": at.topic,
        "messaging.destination.partition.id": str(at.partition),
        "messaging.kafka.offset": at.offset, "newsflow.stage": stage,
        "newsflow.destination": routed.destination,
    }  # fmt: skip
    if routed.article_id:
        attrs["newsflow.article_id"] = routed.article_id
    if routed.error_code:
        attrs["newsflow.error_code"] = routed.error_code
    return attrs


# The (topic, partition) series of newsflow_consumer_lag this process exports: a partition
# revoked in a rebalance is dropped from them, or its last value would stay on /metrics (and
# on the dashboard, which takes the highest per partition) after another pod took it over.
_LAG_SERIES: set[tuple[str, str]] = set()


def _set_lag(topic: str, partition: int, end: int, committed: int | None) -> None:
    labels = (topic, str(partition))
    CONSUMER_LAG.labels(*labels).set(max(0, end - (committed or 0)))
    _LAG_SERIES.add(labels)


def _record_lag(events: Sequence[Any]) -> None:
    """After a batch, the lag of its partitions from what the consumer already knows (the end
    offset of its last fetch); the same figure as ``refresh_lag``'s."""
    last = {}
    for event in events:
        last[(event.message.topic, event.message.partition)] = event
    for (topic, partition), event in last.items():
        try:
            consumer = event.app.consumer
            highwater = consumer.highwater(event.message.tp)
        except (AttributeError, KeyError, RuntimeError, ConsumerNotStarted):  # e.g. test contexts
            return
        if highwater is not None:
            committed = getattr(consumer, "_committed_offset", {})  # faust's record of its commits
            _set_lag(topic, partition, highwater, committed.get(event.message.tp))


async def refresh_lag(consumer: Any) -> None:
    """Every assigned partition's lag from the broker: its end offset minus the position the
    group committed (what Kafka's own tools call a group's lag). Run on a timer
    (``NEWSFLOW_LAG_INTERVAL``), not only when a batch is handled: a stuck worker handles
    none, and its lag must grow as input arrives. Partitions no longer assigned lose their
    series. (On Tansu the end offsets run behind, so the figure is low there; Apache Kafka's
    are exact.)"""
    try:
        partitions = sorted(consumer.assignment())
    except (AttributeError, RuntimeError, ConsumerNotStarted):
        return
    assigned = {(tp.topic, str(tp.partition)) for tp in partitions}
    for labels in _LAG_SERIES - assigned:
        CONSUMER_LAG.remove(*labels)
        _LAG_SERIES.discard(labels)
    if not partitions:
        return
    ends = await consumer.highwaters(*partitions)
    committed = getattr(consumer, "_committed_offset", {})  # faust's record of its commits
    for tp in partitions:
        end = ends.get(tp)
        if end is not None:
            _set_lag(tp.topic, tp.partition, end, committed.get(tp))


def forward(destination: Destination) -> Handler:
    """The handler a stage runs with transforms off: every message goes on unchanged."""

    def handle(value: bytes | None, key: bytes | None, at: Coordinates, budget: Budget) -> Routed:
        return published(destination, (key or b"").decode("utf-8", "replace"), value or b"",
                         "bytes")  # fmt: skip

    return handle


def parts(messages: list[Message], max_bytes: int) -> Iterator[list[Message]]:
    """Consecutive runs of messages of at most ``max_bytes`` input bytes (one at the least)."""
    part: list[Message] = []
    size = 0
    for message in messages:
        n = len(message[0] or b"")
        if part and size + n > max_bytes:
            yield part
            part, size = [], 0
        part.append(message)
        size += n
    if part:
        yield part


@dataclasses.dataclass
class StageRunner:
    stage: Stage
    handle: Handler
    send: Submit
    limits: Limits
    journal: CrashJournal
    watchdog: Watchdog
    batch_max_bytes: int
    trust_origin_header: bool
    window: ByteWindow | None = None
    executor: ThreadPoolExecutor = dataclasses.field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="stage")
    )
    # Held while a batch is handled and its outputs queued: batches started together queue
    # their outputs in the order they asked (asyncio's locks wake waiters first come first).
    _turn: asyncio.Lock = dataclasses.field(default_factory=asyncio.Lock, init=False)

    async def ready(self) -> None:
        """Waits for a handler still being built (``newsflow.loading``) and takes it in place
        of the wrapper, so no message waits for the models under the watchdog."""
        if isinstance(self.handle, Loading):
            self.handle = await self.handle.loaded()

    def _one(self, value: bytes | None, key: bytes | None, at: Coordinates) -> Routed:
        if self.journal.exhausted(at):
            error = CrashLoop(
                f"handling this message ended the {self.stage} worker process "
                f"{self.journal.crashed(at)} times (out of memory, a crash or a hang); "
                "it is not handled again"
            )
            return dead_letter(self.stage, error, value=value or b"", key=key, at=at)
        self.watchdog.start(at)
        try:
            return self.handle(value, key, at, Budget(self.limits.message_seconds))
        except Exception as exc:  # a bug must cost one message, never the stage
            return agentlog.internal_error(self.stage, exc, value, key, at)
        finally:
            self.watchdog.stop()

    def _prepare(self, part: list[Message]) -> None:
        """The handler's optional step over a whole part (enrich runs its model over all the
        part's articles at once). Best effort: if it fails, each message is handled alone."""
        prepare = getattr(self.handle, "prepare", None)
        if prepare is None:
            return
        self.watchdog.start(part[0][2])
        try:
            prepare(part)
        except Exception as exc:  # the messages still get handled, each on its own
            agentlog.log.warning("prepare_failed", stage=self.stage, error=repr(exc))
        finally:
            self.watchdog.stop()

    def handle_part(self, part: list[Message]) -> list[Routed]:
        """Runs in the stage's thread. The part is in the crash journal while it is handled.
        Messages that crashed the process before are handled one at a time, each alone in the
        journal, so only the guilty one is counted again."""
        if not any(self.journal.crashed(at) for _, _, at in part):
            self.journal.begin(at for _, _, at in part)
            self._prepare(part)
            out = [self._one(*message) for message in part]
        else:
            out = []
            for message in part:
                self.journal.begin([message[2]])
                out.append(self._one(*message))
        self.journal.done(at for _, _, at in part)
        return out

    async def process_batch(self, events: Sequence[Any]) -> list[Routed]:
        """Handles a batch and waits until its outputs are stored."""
        return await (await self.start_batch(events))

    async def start_batch(self, events: Sequence[Any]) -> Awaitable[list[Routed]]:
        """Handles a batch and puts its outputs in the producer's queue, in order; returns the
        wait until they are stored (what was stored, in order), after which its messages are
        logged and counted and their bytes given back to the window. A batch over
        ``batch_max_bytes`` is handled in parts; each part but the last is stored before the
        next one is handled, so the outputs held stay bounded. Batches take turns: one started
        while another is being handled waits for it (outputs keep the batches' order)."""
        async with self._turn:
            return await self._start(events)

    async def _start(self, events: Sequence[Any]) -> Awaitable[list[Routed]]:
        loop = asyncio.get_running_loop()
        messages: list[Message] = [
            (e.value, e.message.key,
             Coordinates(e.message.topic, e.message.partition, e.message.offset))
            for e in events
        ]  # fmt: skip
        origins = [origin_timestamp(e.message, trust_header=self.trust_origin_header)
                   for e in events]  # fmt: skip
        traces = [traceparent(e.message) for e in events]
        out: list[Routed] = []
        chunks = list(parts(messages, self.batch_max_bytes))
        for n, part in enumerate(chunks, 1):
            start = time.perf_counter()
            start_ns = time.time_ns()
            routed = await loop.run_in_executor(self.executor, self.handle_part, part)
            held = origins[len(out) : len(out) + len(part)]
            trace = traces[len(out) : len(out) + len(part)]
            if tracing.active():  # spans, and their attributes, only when tracing is on
                attrs = [_span_attributes(self.stage, at, r)
                         for (_, _, at), r in zip(part, routed, strict=True)]  # fmt: skip
                trace = tracing.spans(self.stage, trace, attrs, start_ns, time.time_ns())
            routed = [
                fit(dataclasses.replace(r, origin_timestamp=o, traceparent=t), self.stage,
                    value=v or b"", key=k, at=at, max_bytes=self.limits.max_message_bytes)
                for r, o, t, (v, k, at) in zip(routed, held, trace, part, strict=True)
            ]  # fmt: skip
            stored = await submit_outputs(self.send, self.stage, routed, part,
                                          max_bytes=self.limits.max_message_bytes)  # fmt: skip
            settled = self._settled(part, stored, held, start)
            if n < len(chunks):
                out.extend(await settled)
            else:
                return self._batch_settled(events, out, settled)
        return self._batch_settled(events, out, None)

    async def _settled(
        self,
        part: list[Message],
        stored: Awaitable[list[Routed]],
        origins: list[float | None],
        start: float,
    ) -> list[Routed]:
        routed = await stored
        if self.window is not None:  # delivered: the consumer may take as much again
            for value, _, at in part:
                self.window.give_back((at.topic, at.partition), len(value or b""))
        self._record(part, routed, origins, (time.perf_counter() - start) / len(part))
        return routed

    async def _batch_settled(
        self, events: Sequence[Any], out: list[Routed], last: Awaitable[list[Routed]] | None
    ) -> list[Routed]:
        if last is not None:
            out.extend(await last)
        BATCH_SIZE.labels(self.stage).observe(len(events))
        _record_lag(events)
        return out

    def _record(
        self,
        part: list[Message],
        routed: list[Routed],
        origins: list[float | None],
        per_message: float,
    ) -> None:
        now = time.time()
        for (_, _, at), r, origin in zip(part, routed, origins, strict=True):
            agentlog.bind(self.stage, at)
            agentlog.record(self.stage, r, per_message)
            if r.destination == "enriched" and origin is not None:
                END_TO_END.observe(max(0.0, now - origin))
