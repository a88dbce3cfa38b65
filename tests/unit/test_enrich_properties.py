"""Properties of the enrich core on generated news-like text (real model, loaded once)."""

from __future__ import annotations

import re
from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsflow.schemas.enriched import EntityType
from newsflow.services.enrich.enrich import Enricher
from newsflow.services.enrich.entities import _LONG_TYPES, _PLACE_TYPES, _SHORT_TYPES, _resolve
from newsflow.services.enrich.scanner import FormScanner
from newsflow.services.ingest.normalise import normalise_payload

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
        assert len(e.mentions) == min(e.count, ENRICHER.limits.max_mentions) >= 1
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


# Word characters, hyphens, apostrophes, spaces, dots, an accent, a combining accent, a bracket.
PIECES = st.sampled_from(["A", "Ab", "b", "-", " ", ".", "'", "é", "\u0301", "_", "1", "(", "B"])
FORM = st.lists(PIECES, min_size=1, max_size=4).map("".join)
TEXT = st.lists(PIECES, max_size=40).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.lists(FORM, min_size=1, max_size=6, unique=True), TEXT)
def test_form_scanner_finds_what_the_alternation_regex_found(forms: list[str], text: str) -> None:
    alternation = "|".join(map(re.escape, sorted(forms, key=len, reverse=True)))
    pattern = re.compile(rf"(?<![\w-])({alternation})(?![\w-])")
    scanner = FormScanner(forms)
    expected = [(m.start(), m.end(), m.group(1)) for m in pattern.finditer(text)]
    assert list(scanner.finditer(text)) == expected
    anywhere = {f for f in forms if re.search(rf"(?<![\w-]){re.escape(f)}(?![\w-])", text)}
    assert set(scanner.occurrences(text)) == anywhere


def _resolve_pairwise(
    names: dict[tuple[str, ...], EntityType],
) -> dict[tuple[str, ...], tuple[str, ...]]:
    """The former quadratic _resolve, as the reference."""
    longs = [n for n, t in names.items() if t in _LONG_TYPES and len(n) > 1]
    out = {}
    for name, kind in names.items():
        if kind not in _SHORT_TYPES:
            out[name] = name
            continue
        fits = {g for g in longs if len(g) > len(name) and g[-len(name) :] == name}
        maximal = {f for f in fits if not any(len(g) > len(f) and g[-len(f) :] == f for g in fits)}
        if kind in _PLACE_TYPES and any(names[f] != "PERSON" for f in maximal):
            maximal = set()  # a place is not the organisation whose name it ends
        out[name] = maximal.pop() if len(maximal) == 1 else name
    return out


NAME = st.lists(st.sampled_from(["al", "assad", "bashar", "hafez", "x"]), min_size=1, max_size=4)
KIND = st.sampled_from(["PERSON", "ORG", "GPE", "NORP", "EVENT"])


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(NAME.map(tuple), KIND, max_size=12))
def test_resolve_agrees_with_the_pairwise_reference(
    names: dict[tuple[str, ...], EntityType],
) -> None:
    assert _resolve(names) == _resolve_pairwise(names)
