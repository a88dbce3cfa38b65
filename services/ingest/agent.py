"""The ingest agent: raw -> normalized (or dead letter). Wiring only; the work is in handler.py."""

from __future__ import annotations

from typing import Any

from newsflow.publish import SendMany
from newsflow.settings import Settings
from newsflow.stage import Message, forward, stage_agent
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

    return stage_agent(app, source, "ingest", stage_handler, send=send, settings=settings)
