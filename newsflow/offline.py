"""``newsflow process``: the same two stages as the pipeline, run in-process with no broker,
each message within the same limits and time budget as in a worker."""

from __future__ import annotations

from collections.abc import Iterator

from newsflow.inputs import Input
from newsflow.services.budget import Budget
from newsflow.services.enrich.enrich import Enricher
from newsflow.services.enrich.handler import handle_normalized
from newsflow.services.ingest.dedupe import NearDuplicateIndex
from newsflow.services.ingest.handler import handle_raw
from newsflow.services.routing import Coordinates
from newsflow.settings import Settings


def process_inputs(inputs: list[Input], settings: Settings) -> Iterator[tuple[str, bool]]:
    """Yield (JSON line, ok) per input, in input order. Failed ones are dead-letter records
    whose source coordinates name the file (topic) and the input's position (offset)."""
    limits = settings.limits
    enricher = Enricher(limits=limits)
    index = NearDuplicateIndex(
        capacity=settings.dedupe_capacity, max_distance=settings.dedupe_max_distance
    )
    for n, item in enumerate(inputs):
        at = Coordinates(item.label, 0, n)
        routed = handle_raw(item.payload, None, at, limits=limits, index=index,
                            budget=Budget(limits.message_seconds))  # fmt: skip
        if routed.destination == "normalized":
            routed = handle_normalized(enricher, routed.value, routed.key, at,
                                budget=Budget(limits.message_seconds))  # fmt: skip
        yield routed.value.decode(), routed.destination == "enriched"
