"""``newsflow process``: the same two stages as the pipeline, run in-process with no broker."""

from __future__ import annotations

from collections.abc import Iterator

from newsflow.inputs import Input
from newsflow.settings import Settings
from services.enrich.enrich import Enricher
from services.enrich.handler import handle_normalized
from services.ingest.dedupe import NearDuplicateIndex
from services.ingest.handler import handle_raw
from services.routing import Coordinates

BATCH = 16


def process_inputs(inputs: list[Input], settings: Settings) -> Iterator[tuple[str, bool]]:
    """Yield (JSON line, ok) per input, in input order. Failed ones are dead-letter records
    whose source coordinates name the file (topic) and the input's position (offset)."""
    enricher = Enricher(limits=settings.limits)
    index = NearDuplicateIndex(
        capacity=settings.dedupe_capacity, max_distance=settings.dedupe_max_distance
    )
    for start in range(0, len(inputs), BATCH):
        batch = inputs[start : start + BATCH]
        routed = [
            handle_raw(
                i.payload,
                None,
                Coordinates(i.label, 0, start + n),
                limits=settings.limits,
                index=index,
            )
            for n, i in enumerate(batch)
        ]
        normalized = [(r.value, r.key, Coordinates(i.label, 0, start + n))
                      for n, (i, r) in enumerate(zip(batch, routed, strict=True))
                      if r.destination == "normalized"]  # fmt: skip
        enriched = iter(handle_normalized(enricher, normalized))
        for r in routed:
            final = next(enriched) if r.destination == "normalized" else r
            yield final.value.decode(), final.destination == "enriched"
