"""Issue 14's metadata, body and caption rules, each on a real-looking page: dates with their
times, offsets and provenance; bylines; headlines; site text out of bodies; captions apart
from their credits. And a property: ``updated_at`` is never before ``published_at``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsflow.schemas import NormalizedArticle, RawArticle
from newsflow.services.errors import PoisonError
from newsflow.services.ingest import chrome
from newsflow.services.ingest.dates import parse_visible_date
from newsflow.services.ingest.metadata import not_before
from newsflow.services.ingest.normalise import normalise_article

EST = timezone(timedelta(hours=-5))
STORY = (
    "<p>The city council voted on Tuesday to close the old harbour bridge to all traffic from "
    "January, after engineers found cracks in two of its supporting piers.</p>"
    "<p>Repairs are expected to take at least eighteen months and to cost about 40 million "
    "euros, the council said in a statement published after the vote.</p>"
    "<p>Residents on both banks said the closure would double their journeys to work, and a "
    "petition against it had gathered more than 12,000 signatures by the evening.</p>"
)


def page(
    head: str = "",
    header: str = "",
    body: str = STORY,
    url: str = "https://news.example.com/2019/11/18/harbour-bridge-closed/",
) -> NormalizedArticle:
    html = (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>{head}</head><body>"
        f"<nav><a href='/'>Home</a></nav><article><header>{header}</header>"
        f"<div class='article-body'>{body}</div></article>"
        "<footer>© 2019 Example News</footer></body></html>"
    )
    raw = RawArticle(source="test", content=html, content_type="text/html", url=url)
    return normalise_article(raw)


def ld(**fields: object) -> str:
    return (
        '<script type="application/ld+json">'
        + json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", **fields})
        + "</script>"
    )


H1 = "<h1>Harbour bridge closed for repairs</h1>"


# -- dates ------------------------------------------------------------------------------------
def test_a_timestamp_with_its_offset_beats_the_date_in_the_url() -> None:
    a = page(ld(headline="Harbour bridge closed for repairs",
                datePublished="2019-11-18T14:32:00-05:00"), H1)  # fmt: skip
    assert a.published_at == datetime(2019, 11, 18, 14, 32, tzinfo=EST)
    assert a.metadata_sources["published_at"] == "json-ld datePublished"


def test_a_date_alone_borrows_the_same_days_time_from_a_less_trusted_source() -> None:
    head = ld(datePublished="2019-11-18") + (
        '<meta property="article:published_time" content="2019-11-18T09:05:00+01:00">'
    )
    a = page(head, H1)
    assert a.published_at == datetime(2019, 11, 18, 9, 5, tzinfo=timezone(timedelta(hours=1)))
    assert "time from meta article:published_time" in a.metadata_sources["published_at"]


def test_an_image_path_date_is_never_a_date_of_the_article() -> None:
    body = '<figure><img src="/presto/2019/11/25/harbour.jpg"></figure>' + STORY
    a = page("", H1, body, url="https://news.example.com/local/harbour-bridge-closed")
    assert a.updated_at is None
    assert a.published_at is None or a.published_at.day != 25


def test_an_update_before_the_publication_is_dropped_and_said_so() -> None:
    head = ld(datePublished="2019-11-19T02:46:42Z", dateModified="2019-11-19T01:48:03Z")
    a = page(head, H1)
    assert a.updated_at is None
    assert a.metadata_sources["updated_at"].startswith("dropped: json-ld dateModified")


def test_a_utc_time_stamped_with_the_local_offset_is_not_believed() -> None:
    """SlashGear's JSON-LD said 04:31-06:00 where its meta said 04:31+00:00 and the page
    showed 10:31 pm CST the evening before."""
    head = ld(datePublished="2019-11-20T04:31:13-06:00") + (
        '<meta property="article:published_time" content="2019-11-20T04:31:13+00:00">'
    )
    a = page(head, H1)
    assert a.published_at == datetime(2019, 11, 20, 4, 31, 13, tzinfo=UTC)


def test_a_placeholder_date_gives_way_to_the_visible_dateline() -> None:
    head = ld(datePublished="0001-01-01T00:00:00Z")
    header = H1 + "<div class='publish-date'>Published 7:07 PM EST Nov 19, 2019</div>"
    a = page(head, header, url="https://news.example.com/story/harbour-bridge-closed/")
    assert a.published_at == datetime(2019, 11, 19, 19, 7, tzinfo=EST)
    assert a.metadata_sources["published_at"] == "visible dateline"


def test_an_updated_line_is_the_update_not_the_publication() -> None:
    header = H1 + "<p class='dateline'>Updated 6:02 AM EST Nov 20, 2019</p>"
    a = page("", header, url="https://news.example.com/story/harbour-bridge-closed/")
    assert a.updated_at == datetime(2019, 11, 20, 6, 2, tzinfo=EST)
    assert a.metadata_sources["updated_at"] == "visible updated line"
    assert a.metadata_sources.get("published_at") != "visible dateline"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Published 7:07 PM EST Nov 19, 2019", "2019-11-19T19:07:00-05:00"),
        ("on Monday, November 18th, 2019 at 11:08 a.m.", "2019-11-18T11:08:00"),
        ("13.11.2019, 23:06", "2019-11-13T23:06:00"),
        ("[ 2018-08-25 15:24 ]", "2018-08-25T15:24:00"),
        ("18 November 2019", "2019-11-18"),
        ("Tale of Jang Noksu 2018 Festival", None),  # "Jang" is not January
        ("November 2019", None),  # no day: not a date of an article
    ],
)
def test_visible_datelines(text: str, expected: str | None) -> None:
    assert parse_visible_date(text) == expected


# -- bylines ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("byline", "people", "agencies"),
    [
        ("CNN Editor-at-large Chris Cillizza", ["Chris Cillizza"], []),
        ("JERUSALEM POST STAFF NOVEMBER 18, 2019", [], []),
        ("By Louis Jacobson", ["Louis Jacobson"], []),
        ("Publicado por: Clarissa Borba", ["Clarissa Borba"], []),
        ("Von Anna Schmidt und Jan Weber", ["Anna Schmidt", "Jan Weber"], []),
        ("Par Jean Dupont", ["Jean Dupont"], []),
        ("Jane Doe, Reuters", ["Jane Doe"], ["Reuters"]),
        ("By ROBERT BURNS, AP National Security Writer", ["Robert Burns"], ["Associated Press"]),
        ("By DANICA KIRKA and JILL LAWLESSAssociated Press", ["Danica Kirka", "Jill Lawless"],
         ["Associated Press"]),
        ("Sarah O'Connor, Employment Correspondent", ["Sarah O'Connor"], []),
        ("5 Minute Read", [], []),
    ],
)  # fmt: skip
def test_bylines(byline: str, people: list[str], agencies: list[str]) -> None:
    assert chrome.byline_people(byline, ["CNN", "The Jerusalem Post"]) == (people, agencies)


def test_the_structured_author_comes_before_the_page_text() -> None:
    head = ld(author=[{"@type": "Person", "name": "Tess Bonn"}]) + (
        '<meta name="author" content="Web Desk">'
    )
    header = H1 + "<span class='byline'>By Kristi Noem</span>"  # a name in the page's chrome
    a = page(head, header)
    assert a.authors == ["Tess Bonn"]
    assert a.metadata_sources["authors"] == "json-ld author"


def test_an_agency_credit_is_an_agency_not_an_author() -> None:
    head = ld(author=[{"@type": "Organization", "name": "Reuters"}])
    a = page(head, H1)
    assert (a.authors, a.agencies) == ([], ["Reuters"])


# -- titles -----------------------------------------------------------------------------------
def test_site_and_section_affixes_are_cut() -> None:
    head = (
        '<meta property="og:site_name" content="Example News">'
        '<meta property="og:title" content="Opinion | Harbour bridge closed for repairs">'
        "<title>Harbour bridge closed for repairs | Editorial - Example News</title>"
    )
    assert page(head).title == "Harbour bridge closed for repairs"


def test_an_h1_that_is_the_sites_name_is_not_the_headline() -> None:
    head = (
        '<meta property="og:site_name" content="Example News">'
        '<meta property="og:title" content="Harbour bridge closed for repairs">'
    )
    a = page(head, "<h1>Example News</h1>")
    assert a.title == "Harbour bridge closed for repairs"


def test_the_displayed_headline_wins_over_an_seo_title() -> None:
    head = '<meta property="og:title" content="Bridge closure: what we know - Example News">'
    header = "<h1 class='article-title'>Column: Harbour bridge closed for repairs</h1>"
    assert page(head, header).title == "Harbour bridge closed for repairs"


# -- bodies -----------------------------------------------------------------------------------
def _texts(a: NormalizedArticle) -> list[str]:
    return [p.text for p in a.body]


def test_the_headline_repeated_at_the_top_of_the_body_goes() -> None:
    body = "<h2>Local news</h2><h2>Harbour bridge closed for repairs</h2>" + STORY
    a = page('<meta property="og:title" content="Harbour bridge closed for repairs">', "", body)
    assert _texts(a)[0].startswith("The city council voted")


def test_a_dateline_with_its_byline_at_the_top_goes_and_names_the_author() -> None:
    body = "<p>5:45 AM PST 11/19/2019 by Jane Doe</p>" + STORY
    a = page("", H1, body)
    assert _texts(a)[0].startswith("The city council voted")
    assert a.authors == ["Jane Doe"]


def test_a_headline_glued_before_the_first_paragraph_is_cut() -> None:
    body = "<p>Harbour bridge closed for repairs " + STORY[3:]
    a = page('<meta property="og:title" content="Harbour bridge closed for repairs">', H1, body)
    assert _texts(a)[0].startswith("The city council voted")


def test_link_blocks_and_promotions_go_to_related() -> None:
    body = (
        STORY.replace("</p><p>Repairs", "</p><p>READ MORE: Harbour tolls to rise in "
                      "spring</p><p>Repairs")
        + "<p>DON'T MISS</p><p>Ferry fares frozen for a year [INSIGHT]</p>"
        "<p>Leggi anche: Il ponte del porto chiude per lavori</p>"
        "<p>You may also like...</p><p>Mayor opens new cycle lane</p>"
        "<p>Council budget approved</p>"
    )  # fmt: skip
    a = page("", H1, body)
    assert _texts(a) == _texts(page("", H1))  # the story alone
    assert "Harbour tolls to rise in spring" in a.related
    assert "Mayor opens new cycle lane" in a.related


def test_the_sites_own_lines_go_and_sub_headings_stay() -> None:
    body = (
        STORY + "<h2>What happens next</h2><p>Engineers will survey the piers again in March, and "
        "the council will publish their report before deciding on a date to reopen.</p>"
        "<p>Get the day’s top headlines delivered to your inbox every morning by subscribing "
        "to our newsletter.</p><p>Follow Example News on Twitter and Facebook.</p>"
        "<p>Like this story? Share it with a friend!</p><p>Filed under: Harbour |</p>"
        "<p>Reading time: 3 minutes</p>"
    )
    texts = _texts(page("", H1, body))
    assert "What happens next" in texts
    assert texts[-1].startswith("Engineers will survey")


def test_a_hover_card_is_not_glued_into_the_sentence() -> None:
    body = (
        "<p>South Dakota Gov. <span class='rollover-people'><a href='/people/kristi-noem'>"
        "Kristi Noem</a><span class='rollover-people-block'><span class='rollover-block'>"
        "<a class='name'>Kristi Lynn Noem</a><a class='people-articles'>South Dakota drops "
        "pipeline protest laws after lawsuit</a><a class='more'>MORE</a></span></span></span>"
        " (R) is defending the state's anti-drug campaign, which she said was working.</p>" + STORY
    )
    first = _texts(page("", H1, body))[0]
    assert first.startswith("South Dakota Gov. Kristi Noem (R) is defending")
    assert "MORE" not in first


# -- captions ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("caption", "text", "credit"),
    [
        ("Image caption The bridge was built in 1932", "The bridge was built in 1932", None),
        ("President Trump at the White House.Credit...Doug Mills/The New York Times",
         "President Trump at the White House.", "Doug Mills/The New York Times"),
        ("Protesters outside the council building (Getty Images)",
         "Protesters outside the council building", "Getty Images"),
        ("Workers clear the tracks near Prague. Photo: Reuters",
         "Workers clear the tracks near Prague.", "Reuters"),
    ],
)  # fmt: skip
def test_captions_apart_from_their_credits(caption: str, text: str, credit: str | None) -> None:
    body = f"<figure><img src='/a.jpg'><figcaption>{caption}</figcaption></figure>" + STORY
    assert [(c.text, c.credit) for c in page("", H1, body).captions] == [(text, credit)]


# -- the property -----------------------------------------------------------------------------
STAMPS = st.one_of(
    st.none(),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1)).map(
        lambda d: d.isoformat()
    ),
    st.builds(
        lambda d, h: d.replace(tzinfo=timezone(timedelta(hours=h))).isoformat(),
        st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1)),
        st.integers(-11, 12),
    ),
    st.sampled_from(["2019-11-18", "0001-01-01T00:00:00Z", "Nov 19, 2019", "not a date"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(published=STAMPS, modified=STAMPS, feed_published=STAMPS, feed_updated=STAMPS)
def test_updated_is_never_before_published(
    published: str | None, modified: str | None, feed_published: str | None,
    feed_updated: str | None,
) -> None:  # fmt: skip
    fields = {k: v for k, v in (("datePublished", published), ("dateModified", modified)) if v}
    meta = {k: v for k, v in (("published", feed_published), ("updated", feed_updated)) if v}
    html = f"<html><head>{ld(**fields)}</head><body>{H1}{STORY}</body></html>"
    raw = RawArticle(source="t", content=html, content_type="text/html", metadata=meta)
    try:
        a = normalise_article(raw)
    except PoisonError:
        return
    if a.published_at and a.updated_at:
        assert not_before(a.updated_at, a.published_at)


# -- the audit of site text (newsflow eval extraction --site-text) ---------------------------
def test_the_site_text_audit_finds_each_kind() -> None:
    from newsflow.evaluation.extraction import site_text  # noqa: PLC0415

    body = [
        "Harbour bridge closed for repairs",
        "The council voted on Tuesday to close the bridge.",
        "READ MORE: Harbour tolls to rise",
        "DON'T MISS",
        "Ferry fares frozen [INSIGHT]",
        "Leggi anche: Il ponte chiude",
        "Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.",
        "Get the day’s top headlines delivered to your inbox every morning.",
        "5:45 AM PST 11/19/2019 by Jane Doe",
        "Filed under: Harbour |",
    ]
    found = site_text("Harbour bridge closed for repairs", body)
    assert found == [body[0], *body[2:]]
    assert site_text("Harbour bridge closed for repairs", body[1:2]) == []
