"""The enrich agent: normalized -> enriched (or dead letter). Wiring only; the work is in
handler.py. The model is loaded once, when the worker starts."""

from __future__ import annotations

from newsflow.settings import Settings
from newsflow.stage import Handler, forward
from services.budget import Budget
from services.enrich.enrich import Enricher
from services.enrich.handler import handle_normalized
from services.routing import Coordinates, Routed


def handler(settings: Settings, enricher: Enricher | None = None) -> Handler:
    if not settings.transforms:
        return forward("enriched")
    model = enricher or Enricher(limits=settings.limits)

    def handle(value: bytes | None, key: bytes | None, at: Coordinates, budget: Budget) -> Routed:
        return handle_normalized(model, value, key, at, budget=budget)

    return handle
