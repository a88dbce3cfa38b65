"""The enrich agent: normalized -> enriched (or dead letter). Wiring only; the work is in
handler.py. The model runs in a worker thread so heartbeats keep flowing while it works."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from newsflow.publish import Send
from newsflow.settings import Settings
from newsflow.stage import process_event
from services.enrich.enrich import Enricher
from services.enrich.handler import handle_normalized
from services.routing import Coordinates, Routed


def register(
    app: Any, source: Any, settings: Settings, *, send: Send, enricher: Enricher | None = None
) -> Any:
    model = enricher or Enricher(limits=settings.limits)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="enrich")

    async def handle(value: bytes | None, key: bytes | None, at: Coordinates) -> Routed:
        loop = asyncio.get_running_loop()
        (routed,) = await loop.run_in_executor(pool, handle_normalized, model, [(value, key, at)])
        return routed

    @app.agent(source, name="enrich")
    async def enrich(stream: Any) -> AsyncIterator[Routed]:
        async for event in stream.events():
            yield await process_event("enrich", event, handle, send)

    return enrich
