"""The enrich agent: normalized -> enriched (or dead letter). Wiring only; the work is in
handler.py. The model runs in a worker thread so heartbeats keep flowing while it works."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from newsflow import agentlog
from newsflow.publish import Send, deliver
from newsflow.settings import Settings
from services.enrich.enrich import Enricher
from services.enrich.handler import handle_normalized
from services.routing import Coordinates, Routed


def register(
    app: Any, source: Any, settings: Settings, *, send: Send, enricher: Enricher | None = None
) -> Any:
    model = enricher or Enricher(limits=settings.limits)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="enrich")

    @app.agent(source, name="enrich")
    async def enrich(stream: Any) -> AsyncIterator[Routed]:
        loop = asyncio.get_running_loop()
        async for event in stream.events():
            msg = event.message
            at = Coordinates(msg.topic, msg.partition, msg.offset)
            agentlog.bind("enrich", at)
            start = time.perf_counter()
            try:
                (routed,) = await loop.run_in_executor(
                    pool, handle_normalized, model, [(event.value, msg.key, at)]
                )
            except Exception as exc:  # a bug must cost one message, never the agent
                routed = agentlog.internal_error("enrich", exc, event.value, msg.key, at)
            routed = await deliver(send, "enrich", routed, value=event.value, key=msg.key, at=at)
            agentlog.record("enrich", routed, time.perf_counter() - start)
            yield routed

    return enrich
