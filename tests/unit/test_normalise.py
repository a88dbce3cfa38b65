"""normalise_article: ids, hashes, metadata precedence, clean text, limits."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from newsflow.schemas import NormalizedArticle, RawArticle
from newsflow.services.errors import NoText, TooLarge
from newsflow.services.ingest.identity import canonical_url
from newsflow.services.ingest.normalise import normalise_article, normalise_payload
from newsflow.services.limits import Limits

TEXT = (
    "Council approves new tram line\n\n"
    "The city will build 12 km of track by 2028\n\n"
    "The city council voted on Tuesday to build a tram line linking the station to the university.\n\n"
    "Work will start next spring, the mayor said."
)


def raw(content: str = TEXT, **kw: object) -> RawArticle:
    return RawArticle(source="test", content=content, **kw)  # type: ignore[arg-type]  # test data: a literal where the model converts it


def test_fields_from_plain_text() -> None:
    a = normalise_article(raw())
    assert a.title == "Council approves new tram line"
    assert a.standfirst == "The city will build 12 km of track by 2028"
    assert [p.text for p in a.body][1] == "Work will start next spring, the mayor said."
    assert a.word_count == 17 + 8
    assert a.language == "en"
    assert a.content_hash.startswith("sha256:")


def test_same_article_twice_gets_same_id_and_hash() -> None:
    first = normalise_article(raw(received_at=datetime(2024, 1, 1, tzinfo=UTC)))
    again = normalise_article(raw(received_at=datetime(2024, 6, 1, tzinfo=UTC)))
    assert (first.article_id, first.content_hash) == (again.article_id, again.content_hash)
    other = normalise_article(raw(TEXT.replace("Tuesday", "Wednesday")))
    assert other.article_id != first.article_id
    assert other.content_hash != first.content_hash


def test_id_follows_the_canonical_url() -> None:
    a = normalise_article(raw(url="https://News.example/story/1/?utm_source=x#top"))
    b = normalise_article(
        raw(TEXT + "\n\nCorrection appended.", url="https://news.example/story/1")
    )
    assert a.article_id == b.article_id  # an updated story keeps its id
    assert a.content_hash != b.content_hash
    assert (
        canonical_url("HTTPS://News.example:443/a/?b=2&a=1&utm_x=3")
        == "https://news.example/a?a=1&b=2"
    )


def test_feed_metadata_wins() -> None:
    a = normalise_article(
        raw(
            metadata={
                "title": "Feed title",
                "published": "2024-02-01T10:00:00+02:00",
                "authors": ["Ana Lima"],
                "language": "pt",
            }
        )
    )
    assert a.title == "Feed title"
    assert a.published_at is not None and a.published_at.isoformat() == "2024-02-01T10:00:00+02:00"
    assert a.authors == ["Ana Lima"]
    # Not the language: the text decides over the feed's "pt" (tests/unit/test_language_gate.py).
    assert (a.language, a.provenance["language"]) == ("en", "extracted")


def test_a_one_paragraph_story_under_a_feed_title_keeps_its_paragraph() -> None:
    """The feed names the title and the scrape is the story alone: its one paragraph is the
    body (it was taken for the headline, replaced by the feed's, and dead-lettered no_text)."""
    lead = "Three harbours shut on Tuesday as winds reached 120 km/h, the coastguard said."
    a = normalise_article(raw(lead, metadata={"title": "Storm closes ports"}))
    assert a.title == "Storm closes ports"
    assert [p.text for p in a.body] == [lead]


def test_text_is_cleaned() -> None:
    messy = "Caf\u00c3\u00a9 owners protest\u200b\n\nThe caf\u00c3\u00a9 owners\u00a0said\x07 they would \u201cfight on\u201d."
    a = normalise_article(raw(messy))
    assert a.title == "Café owners protest"
    assert a.body[0].text == "The café owners said they would “fight on”."


def test_chrome_only_is_no_text() -> None:
    with pytest.raises(NoText):
        normalise_article(raw("Editor's Picks\n\nMost Read\n\nSign up to:\n\n* Please select one"))


def test_paragraph_limit() -> None:
    many = "Title\n\n" + "\n\n".join(f"Paragraph number {i} has words." for i in range(50))
    with pytest.raises(TooLarge, match="50 paragraphs"):
        normalise_article(raw(many), limits=Limits(max_paragraphs=10))


def test_envelope_to_article(samples: Path) -> None:
    line = (samples / "wire-envelopes.jsonl").read_bytes().splitlines()[0]
    a = normalise_payload(line)
    assert a.source == "wire-east-africa"
    assert a.title == "Kenya switches on solar mini-grids for 120 villages"
    assert a.related == ["Ethiopia and Kenya agree to share power from new hydro dam"]
    assert a.received_at == datetime(2025, 6, 10, 9, 12, tzinfo=UTC)
    again = NormalizedArticle.model_validate_json(a.model_dump_json())
    assert again == a


def test_normalising_its_own_output_changes_nothing(samples: Path) -> None:
    a = normalise_payload((samples / "rotterdam-dock-strike.txt").read_bytes())
    text = "\n\n".join([a.title, a.standfirst or "", *(p.text for p in a.body)])
    b = normalise_article(raw(text))
    assert [p.text for p in b.body] == [p.text for p in a.body]
    assert (b.title, b.standfirst) == (a.title, a.standfirst)
    assert orjson.loads(b.model_dump_json())["content_hash"] == a.content_hash


def test_provenance_records_feed_and_extracted_fields(samples: Path) -> None:
    line = (samples / "wire-envelopes.jsonl").read_bytes().splitlines()[0]
    a = normalise_payload(line)
    assert a.provenance == {
        "url": "feed", "title": "feed", "authors": "feed", "published_at": "feed",
        "standfirst": "extracted", "updated_at": "extracted", "language": "extracted",
    }  # fmt: skip
    plain = normalise_payload((samples / "rotterdam-dock-strike.txt").read_bytes())
    assert set(plain.provenance.values()) == {"extracted"}
    assert "url" not in plain.provenance  # no value, no entry
