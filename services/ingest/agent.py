"""The ingest agent: raw -> normalized (or dead letter). Wiring only; the work is in handler.py."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

from newsflow import agentlog
from newsflow.publish import Send, deliver
from newsflow.settings import Settings
from services.ingest.dedupe import NearDuplicateIndex
from services.ingest.handler import handle_raw
from services.routing import Coordinates, Routed


def register(app: Any, source: Any, settings: Settings, *, send: Send) -> Any:
    limits = settings.limits
    index = NearDuplicateIndex(
        capacity=settings.dedupe_capacity, max_distance=settings.dedupe_max_distance
    )

    @app.agent(source, name="ingest")
    async def ingest(stream: Any) -> AsyncIterator[Routed]:
        async for event in stream.events():
            msg = event.message
            at = Coordinates(msg.topic, msg.partition, msg.offset)
            agentlog.bind("ingest", at)
            start = time.perf_counter()
            try:
                routed = handle_raw(event.value, msg.key, at, limits=limits, index=index)
            except Exception as exc:  # a bug must cost one message, never the agent
                routed = agentlog.internal_error("ingest", exc, event.value, msg.key, at)
            routed = await deliver(send, "ingest", routed, value=event.value, key=msg.key, at=at)
            agentlog.record("ingest", routed, time.perf_counter() - start)
            yield routed

    return ingest
