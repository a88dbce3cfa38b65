"""The ingest agent: raw -> normalized (or dead letter). Wiring only; the work is in handler.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from newsflow.publish import SendMany
from newsflow.settings import Settings
from newsflow.stage import Message, forward, process_batch
from services.ingest.dedupe import NearDuplicateIndex
from services.ingest.handler import handle_raw
from services.routing import Routed


def register(app: Any, source: Any, settings: Settings, *, send: SendMany) -> Any:
    limits = settings.limits
    index = NearDuplicateIndex(
        capacity=settings.dedupe_capacity, max_distance=settings.dedupe_max_distance
    )

    async def handle(messages: list[Message]) -> list[Routed]:
        return [handle_raw(v, k, at, limits=limits, index=index) for v, k, at in messages]

    stage_handler = handle if settings.transforms else forward("normalized")

    @app.agent(source, name="ingest")
    async def ingest(stream: Any) -> AsyncIterator[Routed]:
        async for events in stream.take_events(settings.batch_size, within=settings.batch_window):
            for routed in await process_batch("ingest", events, stage_handler, send):
                yield routed

    return ingest
