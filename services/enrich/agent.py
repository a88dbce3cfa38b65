"""The enrich agent's handler: normalized -> enriched (or dead letter). Wiring only; the work
is in handler.py. The model is loaded once, when the worker starts."""

from __future__ import annotations

from newsflow.services.budget import Budget
from newsflow.services.enrich.enrich import Enricher
from newsflow.services.enrich.handler import Prepared, handle_normalized, prepare
from newsflow.services.routing import Coordinates, Routed
from newsflow.settings import Settings
from newsflow.stage import Handler, Message, forward


class EnrichHandler:
    """One message at a time, after ``prepare`` ran the model over its batch at once."""

    def __init__(self, enricher: Enricher) -> None:
        self.enricher = enricher
        self.prepared: dict[Coordinates, Prepared] = {}

    def prepare(self, messages: list[Message]) -> None:
        self.prepared = {}
        self.prepared = prepare(self.enricher, messages)

    def __call__(
        self, value: bytes | None, key: bytes | None, at: Coordinates, budget: Budget
    ) -> Routed:
        return handle_normalized(self.enricher, value, key, at, budget=budget,
                                 prepared=self.prepared.pop(at, None))  # fmt: skip


def handler(settings: Settings, enricher: Enricher | None = None) -> Handler:
    if not settings.transforms:
        return forward("enriched")
    return EnrichHandler(enricher or Enricher(limits=settings.limits))
