"""HTML pages: the bundled Venice sample through trafilatura + htmldate + our additions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import lxml.html
import pytest

from newsflow.schemas import Paragraph, RawArticle
from newsflow.services.budget import UNLIMITED
from newsflow.services.errors import NoText
from newsflow.services.ingest.html import _later_chunks, parse_html
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


_PROSE = [
    "The council voted on Tuesday to close the harbour bridge to heavy lorries from March, "
    "after engineers found cracks in two of its steel supports during a routine inspection.",
    "Hauliers said the closure would add forty minutes to every crossing and warned that "
    "smaller firms in the port could lose contracts to rivals on the other side of the river.",
    "The mayor said repairs would take at least a year and promised a temporary ferry for "
    "lorries, paid for by the city, while the bridge is closed to vehicles over ten tonnes.",
    "Engineers will return next month to decide whether the bridge can be repaired or must be "
    "replaced, a decision that the council said it expected to take before the summer.",
]


def _chunked_page(second_chunk: str) -> str:
    first = "".join(f"<p>{t}</p>" for t in _PROSE[:2])
    return (
        "<html><head><title>Harbour bridge to close to lorries</title></head><body><article>"
        "<h1>Harbour bridge to close to lorries</h1><div class='chunks'>"
        f"<div class='grid'><div class='grid--item'>{first}</div></div>"
        "<div class='ad'>Advertisement</div>"
        f"<div class='grid'><div class='grid--item'>{second_chunk}</div></div>"
        "</div></article><footer><p>Copyright 2024 Harbour Times. All rights reserved.</p>"
        "</footer></body></html>"
    )


def _later(page: str) -> list[str]:
    """What ``_later_chunks`` adds to a body of the page's first two paragraphs (what
    trafilatura kept of the WIRED dev pages: their first chunk)."""
    body = [Paragraph(text=t) for t in _PROSE[:2]]
    return [p.text for p in _later_chunks(lxml.html.fromstring(page), body, UNLIMITED)]


def test_a_body_split_into_chunks_is_read_whole() -> None:
    """Sites that cut the article into blocks of one kind between ads (Conde Nast's): the later
    blocks' paragraphs follow the first's, in page order."""
    assert _later(_chunked_page("".join(f"<p>{t}</p>" for t in _PROSE[2:]))) == _PROSE[2:]


def test_teasers_and_short_lines_beside_the_body_are_not_body() -> None:
    teasers = (
        "".join(
            f"<p><a href='/story/{i}'>Read the council's full report on the harbour bridge closure "
            f"and what it means for hauliers and ferry users this year, part {i}</a></p>"
            for i in range(3)
        )
        + "<p>Short line.</p>"
    )
    assert _later(_chunked_page(teasers)) == []
    # prose in a block of another kind (a related story's card) is not a chunk of this body
    other = _chunked_page("").replace(
        "<div class='ad'>Advertisement</div>",
        f"<div class='card'><div class='grid--item'><p>{_PROSE[3]}</p></div></div>",
    )
    assert _later(other) == []


def test_a_story_laid_out_in_a_table_keeps_its_paragraphs() -> None:
    """An old site sets the whole story in a table's cell: trafilatura keeps the cell's
    paragraphs, and its text joined was one paragraph with the headline and the date glued
    to the story ("...close to lorriesNovember 20, 2019The council voted...")."""
    cells = "".join(f"<p>{t}</p>" for t in _PROSE)
    page = (
        "<html><head><title>Harbour bridge to close to lorries</title></head><body>"
        "<table><tr><td class='nav'><a href='/'>Home</a></td>"
        "<td><h1>Harbour bridge to close to lorries</h1>"
        f"<div class='date'>November 20, 2019 - 11:28</div>{cells}</td></tr></table>"
        "</body></html>"
    )
    article = parse_html(page)
    assert [p.text for p in article.body] == _PROSE
    # a table of data is still one paragraph a row, its cells apart
    data = page.replace(
        cells, cells + "<table><tr><td>Lorries a day</td><td>1,200</td></tr></table>"
    )
    assert [p.text for p in parse_html(data).body][-1] == "Lorries a day | 1,200"


def _story_with(after: str) -> str:
    story = "".join(f"<p>{t}</p>" for t in _PROSE)
    return (
        "<html><head><title>Harbour bridge to close to lorries</title></head><body><article>"
        f"<h1>Harbour bridge to close to lorries</h1>{story}{after}</article></body></html>"
    )


def test_a_list_of_story_cards_is_related_headlines_not_body() -> None:
    """A sports site's "latest" box below the story: each item a linked headline and a line
    under it. Its text was body, each item's two lines glued ("...fired by TottenhamPochettino
    took the club..."); the headlines are ``related``."""
    cards = "".join(
        f"<li><div><a href='/{i}'><h3>{head}</h3></a><h4>{line}</h4></div></li>"
        for i, (head, line) in enumerate(
            [
                ("Pochettino fired by Tottenham", "He took the club to the final in June"),
                ("Maradona out as coach of Gimnasia", "The coach is free to sign elsewhere"),
                ("USMNT vs. Cuba preview", "The U.S. is a win away from its group"),
            ]
        )
    )
    article = parse_html(_story_with(f"<ul class='latest-box'>{cards}</ul>"))
    assert [p.text for p in article.body] == _PROSE
    assert article.related[:3] == [
        "Pochettino fired by Tottenham",
        "Maradona out as coach of Gimnasia",
        "USMNT vs. Cuba preview",
    ]


def test_a_story_s_own_list_keeps_its_items_and_their_blocks_apart() -> None:
    """A list in the story whose items hold a heading and a paragraph of prose (a listicle)
    is the story's: each block its own paragraph, not glued to the next."""
    ports = {
        "Dover": "The port's lorry park will take another two hundred vehicles a day while the "
        "bridge is shut, its harbour master said.",
        "Hull": "Ferry operators in the city said they had spare space on evening crossings "
        "and would add a sailing on Sundays.",
    }
    places = "".join(f"<li><h3>{name}</h3><p>{text}</p></li>" for name, text in ports.items())
    body = [p.text for p in parse_html(_story_with(f"<ul>{places}</ul>")).body]
    assert body[-4:] == ["Dover", ports["Dover"], "Hull", ports["Hull"]]
