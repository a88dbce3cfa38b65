"""One event through a stage, the same way in every agent: bind the log context, run the
stage's handler, deliver the result (or a dead letter), record logs and metrics."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Awaitable, Callable
from typing import Any

from newsflow import agentlog
from newsflow.metrics import CONSUMER_LAG, END_TO_END
from newsflow.publish import ORIGIN_HEADER, Send, deliver
from schemas import Stage
from services.routing import Coordinates, Routed

Handler = Callable[[bytes | None, bytes | None, Coordinates], Awaitable[Routed]]


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


def _record_lag(event: Any) -> None:
    msg = event.message
    try:
        highwater = event.app.consumer.highwater(msg.tp)
    except (AttributeError, KeyError, RuntimeError):  # test contexts have no consumer
        return
    if highwater is not None:
        CONSUMER_LAG.labels(msg.topic, str(msg.partition)).set(max(0, highwater - msg.offset - 1))


async def process_event(stage: Stage, event: Any, handle: Handler, send: Send) -> Routed:
    msg = event.message
    at = Coordinates(msg.topic, msg.partition, msg.offset)
    agentlog.bind(stage, at)
    start = time.perf_counter()
    try:
        routed = await handle(event.value, msg.key, at)
    except Exception as exc:  # a bug must cost one message, never the agent
        routed = agentlog.internal_error(stage, exc, event.value, msg.key, at)
    origin = origin_timestamp(msg)
    routed = dataclasses.replace(routed, origin_timestamp=origin)
    routed = await deliver(send, stage, routed, value=event.value, key=msg.key, at=at)
    agentlog.record(stage, routed, time.perf_counter() - start)
    if routed.destination == "enriched" and origin is not None:
        END_TO_END.observe(max(0.0, time.time() - origin))
    _record_lag(event)
    return routed
