"""Property tests: untrusted bytes never raise anything but the typed poison errors."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsflow.schemas import NormalizedArticle
from newsflow.services.errors import PoisonError
from newsflow.services.ingest.normalise import normalise_payload
from newsflow.services.ingest.render import render_plain

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


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip
URLISH = st.one_of(
    JSON,
    st.builds(lambda host, rest: f"http://{host}{rest}", st.text(max_size=15), st.text(max_size=15)),
    st.sampled_from(["http://x.com:99999/a", "http://[::1/a", "http://[zz]/", "https://",
                     "http://x\uff03y.com/", " https://x.com/\u0000a ", "http://[::1]:0/"]),
)  # fmt: skip
DATEISH = st.one_of(
    JSON,
    st.sampled_from(["2024-02-01T10:00:00+02:00", "2020-01-01 00:00 +2400", "0000-01-01",
                     "9999-12-31T23:59:59-23:59", "1e308", "December 11, 2017 10:03 PM"]),
)  # fmt: skip
METADATA = st.one_of(
    JSON,
    st.fixed_dictionaries(
        {},
        optional={"title": JSON, "standfirst": JSON, "description": JSON, "published": DATEISH,
                  "published_at": DATEISH, "updated": DATEISH, "authors": JSON | st.lists(
                      st.text(max_size=30), max_size=4), "language": JSON, "url": URLISH},
    ),
)  # fmt: skip
CONTENT = st.one_of(
    st.text(max_size=300),
    st.lists(st.text(max_size=60), max_size=6).map("\n\n".join),
    st.builds(lambda t: f"<html><body><article><p>{t}</p></article></body></html>", st.text()),
)
ENVELOPE = st.fixed_dictionaries(
    {"content": CONTENT},
    optional={"source": st.text(max_size=20) | JSON, "url": URLISH, "received_at": DATEISH,
              "metadata": METADATA, "schema_version": st.just(1) | JSON,
              "content_type": st.sampled_from(["text/plain", "text/html"]) | JSON},
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ENVELOPE)
def test_any_json_in_the_envelope_fields_gives_an_article_or_a_typed_error(
    envelope: dict[str, object],
) -> None:
    """Any JSON value in any field: a ``NormalizedArticle`` or a ``PoisonError``, nothing else
    (a bad port once reached ``urllib.parse`` and came out as an internal error)."""
    try:
        payload = json.dumps(envelope).encode()
    except (ValueError, OverflowError):
        return
    article = _normalise(payload)
    if article is not None:
        assert article.source and article.source == article.source.strip()


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
