"""Property tests: untrusted bytes never raise anything but the typed poison errors."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas import NormalizedArticle
from services.errors import PoisonError
from services.ingest.normalise import normalise_payload
from services.ingest.render import render_plain

LINES = st.lists(
    st.one_of(
        st.text(min_size=0, max_size=120),
        st.sampled_from(["Read more:", "Updated: March 3, 2025 06:45 PM", "By Jane Doe", "Most Read",
                         "Photo: Reuters", "CAIRO (Reuters) - ", "* Please select one", ""]),
    ),
    max_size=25,
)  # fmt: skip


def _normalise(payload: bytes) -> NormalizedArticle | None:
    try:
        return normalise_payload(payload)
    except PoisonError:
        return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2_000))
def test_any_bytes_give_an_article_or_a_typed_error(payload: bytes) -> None:
    _normalise(payload)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LINES)
def test_scrape_shaped_text_gives_an_article_or_a_typed_error(lines: list[str]) -> None:
    article = _normalise("\n".join(lines).encode())
    if article is not None:
        assert article.body and all(p.text.strip() == p.text and p.text for p in article.body)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["source", "content", "url", "metadata", "content_type",
                                        "schema_version", "received_at"]),
                       st.one_of(st.none(), st.integers(), st.text(max_size=50),
                                 st.lists(st.integers(), max_size=3))))  # fmt: skip
def test_any_envelope_gives_an_article_or_a_typed_error(envelope: dict[str, object]) -> None:
    _normalise(json.dumps(envelope).encode())


WORD = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'-", min_size=1, max_size=9
)
SENTENCE = st.builds(
    lambda first, rest, end: " ".join([first.capitalize(), *rest]) + end,
    WORD, st.lists(WORD, min_size=2, max_size=25), st.sampled_from([".", "!", "?", ".\u201d", ""]),
)  # fmt: skip
FURNITURE = st.sampled_from(
    ["Read more:", "Updated: March 3, 2025 06:45 PM", "Published: 2024-01-02T10:00:00+01:00",
     "By Jane Doe", "Ana Lima, Chief Correspondent", "Most Read", "Advertisement",
     "Rescuers search the rubble on Monday. Jan Horak / CTK / Reuters", "Photo: Reuters",
     "CAIRO (Reuters) - Talks resumed on Monday.", "Read more: Markets rally after the vote",
     "Talks in Geneva", "* Please select one", "Sign up to:"]
)  # fmt: skip
SCRAPE = st.lists(
    st.one_of(st.lists(SENTENCE, min_size=1, max_size=4).map(" ".join), FURNITURE),
    min_size=2,
    max_size=20,
).map("\n\n".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCRAPE)
def test_normalising_its_own_output_changes_nothing(scrape: str) -> None:
    first = _normalise(scrape.encode())
    if first is None:
        return
    second = _normalise(render_plain(first).encode())
    assert second is not None
    fields = ("title", "standfirst", "body", "captions", "related", "authors", "published_at",
              "updated_at", "word_count", "content_hash", "article_id")  # fmt: skip
    assert {f: getattr(second, f) for f in fields} == {f: getattr(first, f) for f in fields}
