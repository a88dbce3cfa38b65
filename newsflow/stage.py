"""One event through a stage, the same way in every agent: bind the log context, run the
stage's handler, deliver the result (or a dead letter), record logs and metrics."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from newsflow import agentlog
from newsflow.publish import Send, deliver
from schemas import Stage
from services.routing import Coordinates, Routed

Handler = Callable[[bytes | None, bytes | None, Coordinates], Awaitable[Routed]]


async def process_event(stage: Stage, event: Any, handle: Handler, send: Send) -> Routed:
    msg = event.message
    at = Coordinates(msg.topic, msg.partition, msg.offset)
    agentlog.bind(stage, at)
    start = time.perf_counter()
    try:
        routed = await handle(event.value, msg.key, at)
    except Exception as exc:  # a bug must cost one message, never the agent
        routed = agentlog.internal_error(stage, exc, event.value, msg.key, at)
    routed = await deliver(send, stage, routed, value=event.value, key=msg.key, at=at)
    agentlog.record(stage, routed, time.perf_counter() - start)
    return routed
