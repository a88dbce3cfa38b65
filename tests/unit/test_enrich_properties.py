"""Properties of the enrich core on generated news-like text (real model, loaded once)."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.enrich.enrich import Enricher
from services.ingest.normalise import normalise_payload

ENRICHER = Enricher()
WORDS = [
    "Karin Lindqvist", "Lindqvist", "Mr Lindqvist's", "Sweden", "Swedish", "Mali", "Malian",
    "the", "said", "on", "Monday", "talks", "with", "president", "Assimi Goita", "Goita",
    "in", "Stockholm", "The", "UN", "forces", "may", "May", "Brown", "brown", "airbase",
    "Hmeimim", "of", "Russia's", "Tour de France", ",", ".", "(", ")", "\u201cquoted\u201d",
]  # fmt: skip
SENTENCE = st.lists(st.sampled_from(WORDS), min_size=1, max_size=25).map(" ".join)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SENTENCE, st.lists(SENTENCE, min_size=1, max_size=6))
def test_entities_are_consistent_on_any_text(title: str, paragraphs: list[str]) -> None:
    article = normalise_payload(
        "\n\n".join([title, *paragraphs, "The end of the story, said the agency."]).encode()
    )
    enriched = ENRICHER.enrich(article)  # the model validator checks every offset round-trips
    spans: dict[object, list[tuple[int, int]]] = {}
    for e in enriched.entities:
        assert e.count == len(e.mentions) >= 1
        assert 0.0 <= e.salience <= 1.0
        for m in e.mentions:
            spans.setdefault(m.field, []).append((m.start, m.end))
    for field_spans in spans.values():
        field_spans.sort()
        for (_, end), (start, _) in pairwise(field_spans):
            assert end <= start, "two mentions overlap"
    saliences = [e.salience for e in enriched.entities]
    assert saliences == sorted(saliences, reverse=True)
    assert len({e.name for e in enriched.entities}) == len(enriched.entities)
