"""A batch of events through a stage, the same way in every agent: run the stage's handler
on the batch, deliver the results (or dead letters) with one acknowledgement wait for the
batch, then log and count each message with its own coordinates bound.

faust's ``take_events`` acks a batch's offsets only when the agent asks for the next batch,
which is after ``process_batch`` has returned, so at-least-once holds."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

from faust.exceptions import ConsumerNotStarted

from newsflow import agentlog
from newsflow.metrics import BATCH_SIZE, CONSUMER_LAG, END_TO_END
from newsflow.publish import ORIGIN_HEADER, SendMany, deliver_many
from schemas import Stage
from services.routing import Coordinates, Destination, Routed, published

Message = tuple[bytes | None, bytes | None, Coordinates]
BatchHandler = Callable[[list[Message]], Awaitable[list[Routed]]]


def origin_timestamp(message: Any) -> float | None:
    """When the raw article entered Kafka: the header ingest set, else this message's time."""
    headers = message.headers or []
    pairs = headers.items() if isinstance(headers, dict) else headers
    for name, value in pairs:
        if name == ORIGIN_HEADER and value:
            try:
                return float(value)
            except ValueError:
                break
    return float(message.timestamp) if message.timestamp else None


def _record_lag(events: Sequence[Any]) -> None:
    last = {}
    for event in events:
        last[(event.message.topic, event.message.partition)] = event
    for (topic, partition), event in last.items():
        try:
            highwater = event.app.consumer.highwater(event.message.tp)
        except (AttributeError, KeyError, RuntimeError, ConsumerNotStarted):  # e.g. test contexts
            return
        if highwater is not None:
            CONSUMER_LAG.labels(topic, str(partition)).set(
                max(0, highwater - event.message.offset - 1)
            )


async def _one_by_one(stage: Stage, handle: BatchHandler, messages: list[Message]) -> list[Routed]:
    """After the batch handler failed: each message alone, so a bug costs only its message."""
    out = []
    for value, key, at in messages:
        try:
            (routed,) = await handle([(value, key, at)])
        except Exception as exc:  # a bug must cost one message, never the agent
            routed = agentlog.internal_error(stage, exc, value, key, at)
        out.append(routed)
    return out


def forward(destination: Destination) -> BatchHandler:
    """The handler a stage runs with transforms off: every message goes on unchanged."""

    async def handle(messages: list[Message]) -> list[Routed]:
        return [
            published(destination, (key or b"").decode("utf-8", "replace"), value or b"", "bytes")
            for value, key, _ in messages
        ]

    return handle


async def process_batch(
    stage: Stage, events: Sequence[Any], handle: BatchHandler, send: SendMany
) -> list[Routed]:
    start = time.perf_counter()
    messages: list[Message] = [
        (
            e.value,
            e.message.key,
            Coordinates(e.message.topic, e.message.partition, e.message.offset),
        )
        for e in events
    ]
    try:
        routed = await handle(messages)
    except Exception:  # isolate the message that breaks the handler
        routed = await _one_by_one(stage, handle, messages)
    origins = [origin_timestamp(e.message) for e in events]
    routed = [
        dataclasses.replace(r, origin_timestamp=o) for r, o in zip(routed, origins, strict=True)
    ]
    routed = await deliver_many(send, stage, routed, messages)
    per_message = (time.perf_counter() - start) / len(events)
    BATCH_SIZE.labels(stage).observe(len(events))
    now = time.time()
    for (_, _, at), r, origin in zip(messages, routed, origins, strict=True):
        agentlog.bind(stage, at)
        agentlog.record(stage, r, per_message)
        if r.destination == "enriched" and origin is not None:
            END_TO_END.observe(max(0.0, now - origin))
    _record_lag(events)
    return routed


def stage_agent(
    app: Any, source: Any, stage: Stage, handle: BatchHandler, *, send: SendMany, settings: Any
) -> Any:
    """The faust agent every stage runs: batches of up to ``batch_size`` events (or what
    arrived within ``batch_window`` seconds) through ``process_batch``."""

    @app.agent(source, name=stage)  # type: ignore[untyped-decorator]  # faust is untyped
    async def agent(stream: Any) -> AsyncIterator[Routed]:
        async for events in stream.take_events(settings.batch_size, within=settings.batch_window):
            for routed in await process_batch(stage, events, handle, send):
                yield routed

    return agent
