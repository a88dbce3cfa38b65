"""Property tests: untrusted bytes never raise anything but the typed poison errors."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas import NormalizedArticle
from services.errors import PoisonError
from services.ingest.normalise import normalise_payload

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
