"""Plain-text scrapes: the bundled Rotterdam sample has every kind of furniture we handle."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from newsflow.services.ingest import chrome
from newsflow.services.ingest.cleantext import clean_text
from newsflow.services.ingest.plaintext import parse_plain_text

CHROME = ("Advertisement", "Most Read", "Sign up to", "Please select one", "Read more", "Updated:")


@pytest.fixture
def rotterdam(samples: Path):  # type: ignore[no-untyped-def]  # pytest injects the fixture
    return parse_plain_text(clean_text((samples / "rotterdam-dock-strike.txt").read_text()))


def test_title_standfirst_byline(rotterdam) -> None:  # type: ignore[no-untyped-def]  # pytest injects the fixture
    assert rotterdam.title == "Rotterdam dock workers walk out over automation plans"
    assert rotterdam.standfirst.startswith("Unions say the port's plan")
    assert rotterdam.authors == ["Anna Verbeek"]


def test_updated_date_without_invented_zone(rotterdam) -> None:  # type: ignore[no-untyped-def]  # pytest injects the fixture
    assert rotterdam.updated_at == datetime(2025, 3, 3, 18, 45)
    assert rotterdam.updated_at.tzinfo is None
    assert rotterdam.published_at is None


def test_caption_once_with_credit(rotterdam) -> None:  # type: ignore[no-untyped-def]  # pytest injects the fixture
    assert len(rotterdam.captions) == 1
    cap = rotterdam.captions[0]
    assert cap.text.startswith("Container ships wait at anchor")
    assert cap.credit == "Pieter Hols / ANP / AFP"


def test_related_headlines_and_heading(rotterdam) -> None:  # type: ignore[no-untyped-def]  # pytest injects the fixture
    assert rotterdam.related == [
        "Antwerp overtakes Hamburg as Europe's second busiest port",
        "Shipping rates climb as Red Sea diversions continue",
    ]
    headings = [p.text for p in rotterdam.body if p.kind == "heading"]
    assert headings == ["Talks in The Hague"]


def test_body_has_no_chrome_and_dateline_is_stripped(rotterdam) -> None:  # type: ignore[no-untyped-def]  # pytest injects the fixture
    text = "\n".join(p.text for p in rotterdam.body)
    for junk in CHROME:
        assert junk not in text
    assert "Pieter Hols" not in text
    assert rotterdam.body[0].text.startswith("Dock workers at Europe's largest port")
    assert len(rotterdam.body) == 8


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
        ("By Reuters", []),
        ("Jane Doe, Middle East Correspondent", ["Jane Doe"]),
        ("By the end of the year, prices had doubled.", None),
        ("Published", None),
    ],
)
def test_bylines(line: str, expected: list[str] | None) -> None:
    assert chrome.byline(line) == expected


@pytest.mark.parametrize(
    "line",
    ["Editor's Picks", "* Please select one", "Sign up to:", "Most Read", "Advertisement",
     "3 min read", "Copyright 2024 Daily Planet", "We use cookies to improve your experience",
     "(Reporting by Greg Roumeliotis and Joshua Franklin, editing by Martin Howell.)",
     "[Additional reporting by Herb Lash; Writing by Megan Davies]",
     "Contributing: Kristine Phillips", "Fox News' Jessica Napoli contributed to this report."],
)  # fmt: skip
def test_chrome_lines(line: str) -> None:
    assert chrome.is_chrome(line)


def test_prose_is_not_chrome() -> None:
    assert not chrome.is_chrome(
        "Share prices fell sharply on Monday after the bank warned on profits."
    )


@pytest.mark.parametrize(
    ("line", "caption"),
    [
        ("Rescuers search the rubble on Monday. Photo: Reuters", ("Rescuers search the rubble on Monday.", "Reuters")),
        ("Fans celebrate in Madrid. Juan Perez / EPA", ("Fans celebrate in Madrid.", "Juan Perez / EPA")),
        ("He said it was over. Then he left the room.", None),
    ],
)  # fmt: skip
def test_caption_credit_split(line: str, caption: tuple[str, str] | None) -> None:
    assert chrome.split_caption(line) == caption


def test_dateline_variants() -> None:
    assert (
        chrome.strip_dateline("CAIRO (Reuters) - The Egyptian president")
        == "The Egyptian president"
    )
    assert chrome.strip_dateline("NEW YORK, March 3 (AP) — Stocks fell") == "Stocks fell"
    assert chrome.strip_dateline("US - China talks resumed") == "US - China talks resumed"


@pytest.mark.parametrize(
    "brief",
    [
        # a feed's title and description, the line ending without a full stop (AG News shape)
        "Oil prices climb as supply worries mount\n\nCrude rose 2% on Tuesday after a pipeline "
        "outage in Nigeria cut exports, traders said (Reuters)",
        "Storm closes ports along the coast\n\nThree harbours shut as winds reach 120 km/h",
    ],
)
def test_a_headline_and_one_paragraph_is_an_article_with_a_body(brief: str) -> None:
    """The standfirst heuristic never takes the only paragraph: the body would be empty and
    the brief dead-lettered no_text (11% of AG News rows were)."""
    out = parse_plain_text(clean_text(brief))
    title, paragraph = brief.split("\n\n")
    assert (out.title, out.standfirst) == (title, None)
    assert [p.text for p in out.body] == [paragraph]


@pytest.mark.parametrize(
    ("content", "body"),
    [
        # the feed gives the title; the scrape starts with its story, dateline and all
        ("WASHINGTON (Reuters) - Treasury Secretary Janet Yellen said on Tuesday the Federal "
         "Reserve would act to curb inflation.\n\nShe spoke at the Brookings Institution.",
         ["Treasury Secretary Janet Yellen said on Tuesday the Federal Reserve would act to "
          "curb inflation.", "She spoke at the Brookings Institution."]),
        # a short lead that ends on a quote, not a full stop
        ("Yellen said: \u201cWe will act.\u201d\n\nMarkets rose.",
         ["Yellen said: \u201cWe will act.\u201d", "Markets rose."]),
        # a one-paragraph brief under the feed's title: the paragraph is the body
        ("Three harbours shut as winds reached 120 km/h on Tuesday.",
         ["Three harbours shut as winds reached 120 km/h on Tuesday."]),
        # the scrape repeats a headline first: it is the headline, as without a feed title
        ("Yellen says the Fed will act\n\nTreasury Secretary Janet Yellen said the Fed would "
         "act.", ["Treasury Secretary Janet Yellen said the Fed would act."]),
    ],
)  # fmt: skip
def test_under_a_feed_s_title_a_first_line_that_is_no_headline_is_the_story(
    content: str, body: list[str]
) -> None:
    """The feed's title replaces the scrape's headline; a first line that is no headline (it
    ends a sentence) was dropped with it, losing the lead paragraph."""
    out = parse_plain_text(clean_text(content), feed_title="Yellen: the Fed will act")
    assert [p.text for p in out.body] == body


def test_a_standfirst_is_still_taken_when_a_body_follows() -> None:
    out = parse_plain_text(clean_text("Headline here\n\nA short standfirst line\n\nThe body."))
    assert out.standfirst == "A short standfirst line"
    assert [p.text for p in out.body] == ["The body."]


def test_character_references_left_in_plain_text_are_decoded() -> None:
    assert clean_text("Commission head Jos&#233; Manuel Barroso said &quot;no&quot;.") == (
        'Commission head José Manuel Barroso said "no".'
    )
    assert clean_text("AT&T and R&D rose") == "AT&T and R&D rose"  # no reference: as written


WRAPPED = (
    "Seoul bank loan signed\n"
    "South Korea's Ssangyong Construction has signed a 48.3 mln dlr\n"
    "financing package to fund a hotel and commercial complex in\n"
    "Jakarta, the agent, Wardley Ltd, said.\n"
    "    The facility is being lead managed by Hongkong and Shanghai\n"
    "Banking Corp. Managers are Arab Banking Corp, Bank of Nova\n"
    "Scotia, Gulf International Bank and National Bank of Kuwait.\n"
    "    A Wardley spokesman said the loan was well received by\n"
    "international banks.\n"
    " Reuter\n"
)


def test_hard_wrapped_wire_copy_is_read_as_paragraphs() -> None:
    """1980s wire copy is wrapped at about 65 columns, a paragraph marked by an indent: each
    line was a paragraph, with names cut in two ("Bank of Nova" / "Scotia"), and the sign-off
    "Reuter" was a paragraph too."""
    article = parse_plain_text(clean_text(WRAPPED))
    assert article.title == "Seoul bank loan signed"
    assert [p.text for p in article.body] == [
        "South Korea's Ssangyong Construction has signed a 48.3 mln dlr financing package to "
        "fund a hotel and commercial complex in Jakarta, the agent, Wardley Ltd, said.",
        "The facility is being lead managed by Hongkong and Shanghai Banking Corp. Managers are "
        "Arab Banking Corp, Bank of Nova Scotia, Gulf International Bank and National Bank of "
        "Kuwait.",
        "A Wardley spokesman said the loan was well received by international banks.",
    ]


def test_text_of_one_paragraph_a_line_is_not_unwrapped() -> None:
    """Scraped text with a paragraph a line, short lines among them (a headline, a heading, a
    list of results), keeps its lines: only text filled to one width and broken mid-sentence
    is joined."""
    text = (
        "Leeds sign Welsh striker\n"
        "Leeds United have signed the Wales striker on a three-year deal, the club said on "
        "Friday after he passed a medical.\n"
        "Results\n"
        "Leeds 2 Hull 1\n"
        "Derby 0 Stoke 0\n"
        "Wigan 3 Bolton 3\n"
        "The striker scored 14 goals in the Championship last season."
    )
    assert clean_text(text) == text
