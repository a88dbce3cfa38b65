"""The ingest agent: raw -> normalized (or dead letter). Wiring only; the work is in handler.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from newsflow.publish import Send
from newsflow.settings import Settings
from newsflow.stage import process_event
from services.ingest.dedupe import NearDuplicateIndex
from services.ingest.handler import handle_raw
from services.routing import Coordinates, Routed


def register(app: Any, source: Any, settings: Settings, *, send: Send) -> Any:
    limits = settings.limits
    index = NearDuplicateIndex(
        capacity=settings.dedupe_capacity, max_distance=settings.dedupe_max_distance
    )

    async def handle(value: bytes | None, key: bytes | None, at: Coordinates) -> Routed:
        return handle_raw(value, key, at, limits=limits, index=index)

    @app.agent(source, name="ingest")
    async def ingest(stream: Any) -> AsyncIterator[Routed]:
        async for event in stream.events():
            yield await process_event("ingest", event, handle, send)

    return ingest
