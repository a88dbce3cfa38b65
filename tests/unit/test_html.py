"""HTML pages: the bundled Venice sample through trafilatura + htmldate + our additions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsflow.schemas import RawArticle
from newsflow.services.errors import NoText
from newsflow.services.ingest.html import parse_html
from newsflow.services.ingest.normalise import normalise_article

CET = timezone(timedelta(hours=1))


@pytest.fixture
def venice(samples: Path):  # type: ignore[no-untyped-def]  # pytest injects the fixture
    return parse_html((samples / "venice-flood-barrier.html").read_text())


def test_metadata(venice) -> None:  # type: ignore[no-untyped-def]  # pytest injects the fixture
    assert venice.title == "Venice raises flood barrier for record tenth time this autumn"
    assert venice.authors == ["Luca Ferraro"]
    assert venice.standfirst.startswith("Engineers say the Mose gates")
    assert venice.language == "en"
    assert venice.url == "https://lagoon-courier.example/news/2025/11/venice-mose-tenth-raising"


def test_dates_keep_their_zone(venice) -> None:  # type: ignore[no-untyped-def]  # pytest injects the fixture
    assert venice.published_at == datetime(2025, 11, 18, 7, 30, tzinfo=CET)
    assert venice.updated_at == datetime(2025, 11, 18, 15, 10, tzinfo=CET)


def test_body_caption_heading_and_no_chrome(venice) -> None:  # type: ignore[no-untyped-def]  # pytest injects the fixture
    text = "\n".join(p.text for p in venice.body)
    assert venice.body[0].text.startswith("Venice raised its mobile flood barrier")
    assert [p.text for p in venice.body if p.kind == "heading"] == ["Who pays"]
    for junk in ("Subscribe", "Most read", "Gondoliers", "Copyright", "cookies", "Home"):
        assert junk not in text
    assert venice.title not in text  # the h1 is the title, not a body paragraph
    assert [(c.text[:20], c.credit) for c in venice.captions] == [
        ("The yellow gates of ", "Giulia Conti / Lagoon Courier")
    ]


def test_page_without_text_is_no_text() -> None:
    page = "<html><body><nav><a href='/'>Home</a></nav></body></html>"
    with pytest.raises(NoText):
        normalise_article(RawArticle(source="t", content=page, content_type="text/html"))


@pytest.mark.parametrize(
    ("meta", "authors"),
    [
        ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
        ("Published", []),
        ("5 Minute Read", []),
        ("Reuters", []),
        ("Ana Lima; Staff", ["Ana Lima"]),
    ],
)
def test_authors_are_people(meta: str, authors: list[str]) -> None:
    page = (
        f'<html><head><meta name="author" content="{meta}"></head><body><article>'
        "<p>The council voted on Tuesday to build a tram line linking the station and the port.</p>"
        "<p>Work will start next spring and last two years, the mayor told reporters.</p>"
        "</article></body></html>"
    )
    assert parse_html(page).authors == authors


def test_related_headlines_from_related_blocks() -> None:
    page = (
        "<html><body><article><h1>Tram line approved</h1>"
        "<p>The council voted on Tuesday to build a tram line linking the station and the port.</p>"
        "<p>Work will start next spring and last two years, the mayor told reporters.</p>"
        "</article><aside class='Related-Stories'><ul>"
        "<li><a href='/a'>Bus fares to rise in January, operator says</a></li>"
        "<li><a href='/b'>More</a></li>"
        "<li><a href='/c'>City approves new cycle lanes on the ring road</a></li>"
        "</ul></aside><nav><a href='/x'>Sport news and results from today</a></nav></body></html>"
    )
    assert parse_html(page).related == [
        "Bus fares to rise in January, operator says",
        "City approves new cycle lanes on the ring road",
    ]
