"""The ingest agent: raw -> normalized (or dead letter). Wiring only; the work is in handler.py."""

from __future__ import annotations

from newsflow.services.budget import Budget
from newsflow.services.ingest.dedupe import NearDuplicateIndex
from newsflow.services.ingest.handler import handle_raw
from newsflow.services.routing import Coordinates, Routed
from newsflow.settings import Settings
from newsflow.stage import Handler, forward


def handler(settings: Settings) -> Handler:
    if not settings.transforms:
        return forward("normalized")
    index = NearDuplicateIndex(
        capacity=settings.dedupe_capacity, max_distance=settings.dedupe_max_distance
    )

    def handle(value: bytes | None, key: bytes | None, at: Coordinates, budget: Budget) -> Routed:
        return handle_raw(value, key, at, limits=settings.limits, index=index, budget=budget)

    return handle
