"""The enrich agent: normalized -> enriched (or dead letter). Wiring only; the work is in
handler.py. A batch goes through the model in one call, in a worker thread so heartbeats keep
flowing while it works."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from newsflow.publish import SendMany
from newsflow.settings import Settings
from newsflow.stage import Message, forward, stage_agent
from services.enrich.enrich import Enricher
from services.enrich.handler import handle_normalized
from services.routing import Routed


def register(
    app: Any, source: Any, settings: Settings, *, send: SendMany, enricher: Enricher | None = None
) -> Any:
    stage_handler = forward("enriched")
    if settings.transforms:
        model = enricher or Enricher(limits=settings.limits)
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="enrich")

        async def handle(messages: list[Message]) -> list[Routed]:
            return await asyncio.get_running_loop().run_in_executor(
                pool, handle_normalized, model, messages
            )

        stage_handler = handle

    return stage_agent(app, source, "enrich", stage_handler, send=send, settings=settings)
