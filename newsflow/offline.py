"""``newsflow process``: the same two stages as the pipeline, run in-process with no broker,
each message within the same limits and time budget as in a worker (handlers from the
composition root)."""

from __future__ import annotations

from collections.abc import Iterator

from newsflow.bootstrap import handler
from newsflow.inputs import Input
from newsflow.services.budget import Budget
from newsflow.services.routing import Coordinates
from newsflow.settings import Settings


def process_inputs(inputs: list[Input], settings: Settings) -> Iterator[tuple[str, bool]]:
    """Yield (JSON line, ok) per input, in input order. Failed ones are dead-letter records
    whose source coordinates name the file (topic) and the input's position (offset)."""
    ingest, enrich = handler(settings, "ingest"), handler(settings, "enrich")
    seconds = settings.limits.message_seconds
    for n, item in enumerate(inputs):
        at = Coordinates(item.label, 0, n)
        routed = ingest(item.payload, None, at, Budget(seconds))
        if routed.destination == "normalized":
            routed = enrich(routed.value, routed.key, at, Budget(seconds))
        yield routed.value.decode(), routed.destination == "enriched"
