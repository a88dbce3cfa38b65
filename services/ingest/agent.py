"""The ingest agent: raw -> normalized (or dead letter). Wiring only; the work is in handler.py."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from newsflow import agentlog
from newsflow.app import AppTopics
from newsflow.publish import publish
from newsflow.settings import Settings
from services.ingest.dedupe import NearDuplicateIndex
from services.ingest.handler import handle_raw
from services.routing import Coordinates, Routed

Publisher = Callable[[AppTopics, Routed], Awaitable[None]]


def register(app: Any, topics: AppTopics, settings: Settings, *, send: Publisher = publish) -> Any:
    limits = settings.limits
    index = NearDuplicateIndex(
        capacity=settings.dedupe_capacity, max_distance=settings.dedupe_max_distance
    )

    @app.agent(topics.raw, name="ingest")
    async def ingest(stream: Any) -> AsyncIterator[Routed]:
        async for event in stream.events():
            msg = event.message
            at = Coordinates(msg.topic, msg.partition, msg.offset)
            agentlog.bind("ingest", at)
            routed = handle_raw(event.value, msg.key, at, limits=limits, index=index)
            await send(topics, routed)
            agentlog.record(routed)
            yield routed

    return ingest
