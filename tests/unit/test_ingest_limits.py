"""The ingest core's bounds and input hygiene: long paragraphs split at sentence ends, the
article's characters limited, a time budget per message, stray control characters removed,
and malformed envelope fields refused as bad envelopes (never a crash further in)."""

from __future__ import annotations

import itertools
import re

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsflow.schemas import Paragraph, RawArticle
from newsflow.services.budget import Budget
from newsflow.services.errors import BinaryContent, InvalidEnvelope, NoText, TimedOut, TooLarge
from newsflow.services.ingest.bounds import CHECK_EVERY, split_long_paragraphs, split_text
from newsflow.services.ingest.dates import parse_date
from newsflow.services.ingest.envelope import parse_envelope
from newsflow.services.ingest.handler import handle_raw
from newsflow.services.ingest.html import parse_html
from newsflow.services.ingest.normalise import normalise_article, normalise_payload
from newsflow.services.limits import Limits
from newsflow.services.routing import Coordinates

LIMITS = Limits()
AT = Coordinates("raw", 0, 0)
SENTENCE = "The council met on Monday to discuss the harbour plan. "


def _raw(content: str, **kw: object) -> RawArticle:
    return RawArticle(source="t", content=content, **kw)  # type: ignore[arg-type]  # test data: a literal where the model converts it


def _assert_pieces_of(text: str, pieces: list[str], limit: int) -> None:
    """Pieces are non-empty, stripped, at most ``limit`` long, in order, and between two of
    them the text has only whitespace: nothing but the whitespace at a cut is lost."""
    assert all(piece and piece == piece.strip() and len(piece) <= limit for piece in pieces)
    at = 0
    for piece in pieces:
        found = text.index(piece, at)
        assert not text[at:found].strip()
        at = found + len(piece)
    assert at == len(text)


# Splitting long paragraphs ----------------------------------------------------------------


def test_short_text_is_one_piece() -> None:
    assert split_text("One sentence. Two.", 100) == ["One sentence. Two."]


def test_whole_sentences_are_packed_up_to_the_limit() -> None:
    text = (SENTENCE * 30).strip()  # 30 sentences of 55 characters (one space between)
    pieces = split_text(text, 500)
    _assert_pieces_of(text, pieces, 500)
    assert all(piece.endswith("plan.") for piece in pieces)  # every cut is at a sentence end
    assert [len(p) for p in pieces] == [494, 494, 494, 164]  # 9 sentences fit in 500, not 10
    assert " ".join(pieces) == text


def test_closing_quotes_stay_with_their_sentence() -> None:
    text = ('He said: "We will not stop." ' + "Another sentence follows here. " * 20).strip()
    pieces = split_text(text, 40)
    assert pieces[0] == 'He said: "We will not stop."'
    _assert_pieces_of(text, pieces, 40)


def test_a_sentence_longer_than_the_limit_is_cut_at_its_last_space() -> None:
    text = "word " * 300 + "end."
    pieces = split_text(text.strip(), 502)
    assert [len(p) for p in pieces] == [499, 499, 499, 4]  # 100 words of 4 + 99 spaces
    _assert_pieces_of(text.strip(), pieces, 502)


def test_text_without_whitespace_is_hard_cut() -> None:
    text = "x" * 1234
    pieces = split_text(text, 500)
    assert [len(p) for p in pieces] == [500, 500, 234]
    assert "".join(pieces) == text


def test_cjk_full_stops_end_sentences_without_a_space() -> None:
    text = "今天天气很好。" * 100
    pieces = split_text(text, 50)
    assert all(p.endswith("。") for p in pieces)
    assert "".join(pieces) == text


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet="abcXY", min_size=1, max_size=30),
            st.sampled_from([". ", "! ", '." ', "? ", " ", "  ", "\t", "。", "... ", "3.5"]),
        ),
        max_size=60,
    ).map(lambda parts: "".join(parts).strip()),
    st.integers(min_value=1, max_value=40),
)
def test_split_keeps_every_character_but_the_whitespace_at_cuts(text: str, limit: int) -> None:
    if text:
        _assert_pieces_of(text, split_text(text, limit), limit)


def test_long_paragraphs_keep_their_kind() -> None:
    body = [Paragraph(text="Short."), Paragraph(text=SENTENCE * 20, kind="heading")]
    body[1] = Paragraph(text=body[1].text.strip(), kind="heading")
    out = split_long_paragraphs(body, 500)
    assert out[0] == body[0]
    assert len(out) == 4 and {p.kind for p in out[1:]} == {"heading"}


def test_plain_text_paragraph_over_the_limit_is_split() -> None:
    long = (SENTENCE * 400).strip()  # 22,000 characters in one paragraph
    a = normalise_article(_raw(f"Harbour plan\n\nThe council voted.\n\n{long}"))
    assert max(len(p.text) for p in a.body) <= LIMITS.max_paragraph_chars
    assert " ".join(p.text for p in a.body[1:]) == long
    assert len(a.body) == 1 + 3


def test_html_paragraph_over_the_limit_is_split() -> None:
    long = (SENTENCE * 400).strip()
    page = (
        "<html><head><title>Harbour plan</title></head><body><article>"
        f"<p>{long}</p></article></body></html>"
    )
    a = normalise_article(_raw(page, content_type="text/html"))
    assert max(len(p.text) for p in a.body) <= LIMITS.max_paragraph_chars
    assert " ".join(p.text for p in a.body) == long


def test_paragraph_count_is_checked_after_splitting() -> None:
    text = "Harbour plan\n\nThe council voted.\n\n" + (SENTENCE * 50).strip()  # 2,750 chars
    limits = Limits(max_paragraph_chars=500, max_paragraphs=5)
    with pytest.raises(TooLarge, match="7 paragraphs; the limit is 5"):
        normalise_article(_raw(text), limits=limits)
    assert len(normalise_article(_raw(text), limits=Limits(max_paragraph_chars=500)).body) == 7


# Characters per article --------------------------------------------------------------------


def test_article_over_the_character_limit_is_too_large() -> None:
    body = "\n\n".join(f"Paragraph {i} says the council met on Monday." for i in range(100))
    text = "Harbour plan\n\nThe council voted.\n\n" + body  # 4,500 characters of text
    with pytest.raises(TooLarge) as caught:
        normalise_article(_raw(text), limits=Limits(max_article_chars=4_000))
    assert re.search(
        r"^\d{4} characters of text \(title, .*\); the limit is 4000$", caught.value.reason
    )
    assert normalise_article(_raw(text), limits=Limits(max_article_chars=5_000)).body


def test_captions_and_related_count_toward_the_limit() -> None:
    captions = "\n\n".join(
        f"Boats {i} moored in the harbour at dawn on Monday. Photograph: Jane Doe {i}/Reuters"
        for i in range(100)
    )
    text = f"Harbour plan\n\nThe council voted on Monday.\n\n{captions}\n\nThe plan was approved."
    limits = Limits(max_article_chars=5_000)
    with pytest.raises(TooLarge, match="characters of text"):
        normalise_article(_raw(text), limits=limits)
    related = "\n\n".join(f"Read more: Headline number {i} about the harbour" for i in range(150))
    with pytest.raises(TooLarge, match="characters of text"):
        normalise_article(
            _raw(f"Harbour plan\n\nThe plan was approved.\n\n{related}"), limits=limits
        )


def test_huge_input_fails_before_extraction() -> None:
    limits = Limits(max_article_chars=1_000)
    with pytest.raises(TooLarge, match="the text has 2001 characters, more than 2 x"):
        normalise_article(_raw("T" + "x" * 2_000), limits=limits)
    page = "<html><body>" + "<p>Some words here.</p>" * 200 + "</body></html>"  # 3,200 visible
    with pytest.raises(TooLarge, match="the page's text has 3200 characters"):
        normalise_article(_raw(page, content_type="text/html"), limits=limits)


def test_scripts_and_styles_are_not_page_text() -> None:
    code = "<script>" + "var x = 1;" * 1_000 + "</script><style>" + "p{}" * 1_000 + "</style>"
    page = f"<html><head>{code}</head><body><article><p>{SENTENCE * 5}</p></article></body></html>"
    assert normalise_article(
        _raw(page, content_type="text/html"), limits=Limits(max_article_chars=1_000)
    )


# Time budget -------------------------------------------------------------------------------


def _ticking(step: float = 1.0):  # type: ignore[no-untyped-def]  # pytest injects the fixture
    """A clock that moves ``step`` seconds each time it is read."""
    counter = itertools.count()
    return lambda: next(counter) * step


def test_budget_spent_ends_a_message_with_timed_out() -> None:
    with pytest.raises(TimedOut, match="over the 10 s budget per message, at envelope"):
        normalise_payload(b"Title\n\nBody text.", budget=Budget(10, clock=_ticking(100)))


def test_the_plain_text_line_loop_checks_the_budget() -> None:
    lines = "\n".join(f"Line {i} of a long scrape." for i in range(20 * CHECK_EVERY))
    with pytest.raises(TimedOut, match="at plain-text"):
        normalise_payload(lines.encode(), budget=Budget(10, clock=_ticking()))


def test_the_html_loops_check_the_budget() -> None:
    page = "<html><body>" + "<figure><figcaption>A boat.</figcaption></figure>" * 5_000
    with pytest.raises(TimedOut, match="at HTML"):
        parse_html(page, budget=Budget(10, clock=_ticking()))


def test_a_budget_not_spent_changes_nothing() -> None:
    text = b"Harbour plan\n\nThe council voted on Monday to approve the harbour plan."
    a, b = normalise_payload(text, budget=Budget(30)), normalise_payload(text)
    assert a.model_dump(exclude={"received_at"}) == b.model_dump(exclude={"received_at"})


def test_handle_raw_dead_letters_a_timeout() -> None:
    routed = handle_raw(
        b"Title\n\nBody text.", None, AT, limits=LIMITS, budget=Budget(10, clock=_ticking(100))
    )
    assert (routed.destination, routed.error_code) == ("deadletter", "timeout")
    assert orjson.loads(routed.value)["reason"].startswith("over the 10 s budget")


# Control characters ------------------------------------------------------------------------


def test_stray_control_characters_are_removed() -> None:
    a = normalise_payload(b"Headline\n\nText with a NUL \x00 and a bell \x07 in it.")
    assert a.body[0].text == "Text with a NUL and a bell in it."
    envelope = orjson.dumps({"source": "s", "content": "Headline\n\nA bell\u0007 rang.\u0000"})
    assert normalise_payload(envelope).body[0].text == "A bell rang."


def test_control_characters_in_a_long_text_under_the_ratio_are_removed() -> None:
    text = ("Harbour plan\n\n" + SENTENCE * 100).replace("Monday", "Mon\x00day", 40)
    assert "\x00" not in normalise_payload(text.encode()).body[0].text


def test_mostly_binary_is_still_refused() -> None:
    with pytest.raises(BinaryContent, match="control characters"):
        parse_envelope(b"\x00\x01\x02PK\x03\x04 binary garbage \x05\x06", limits=LIMITS)
    blob = bytes(i % 32 for i in range(2_000)) + b"some text"
    with pytest.raises(BinaryContent, match="control characters"):
        parse_envelope(blob, limits=LIMITS)
    with pytest.raises(BinaryContent):  # 1 in 50 is over the default 1 in 100
        parse_envelope((b"x" * 49 + b"\x01") * 20, limits=LIMITS)


# Envelope fields ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://x.com:99999/a",
        "http://x.com:abc/a",
        "http://x.com:-1/a",
        "http://[::1/a",
        "http://[zz]/",
        "https://",
        "http://:80/",
        "http://x\uff03y.com/",  # a netloc that NFKC-normalises to "#"
        "ftp://x.com/",
    ],
)
def test_malformed_url_is_an_invalid_envelope(url: str) -> None:
    payload = orjson.dumps({"source": "s", "url": url, "content": "Title\n\nBody text here."})
    with pytest.raises(InvalidEnvelope, match="url"):
        normalise_payload(payload)
    routed = handle_raw(payload, None, AT, limits=LIMITS)
    assert routed.error_code == "invalid_envelope"


def test_url_and_source_are_cleaned() -> None:
    payload = orjson.dumps(
        {
            "source": "  wire\u0000 \t east ",
            "url": " https://x.com/a\u0007 ",
            "content": "T\n\nBody.",
        }
    )
    raw = parse_envelope(payload, limits=LIMITS)
    assert (raw.source, raw.url) == ("wire east", "https://x.com/a")
    assert (
        parse_envelope(orjson.dumps({"url": " \u200b ", "content": "x"}), limits=LIMITS).url is None
    )


@pytest.mark.parametrize("source", ["", "   ", "\u0000\u200b", "\t\n"])
def test_blank_source_is_an_invalid_envelope(source: str) -> None:
    with pytest.raises(InvalidEnvelope, match="source"):
        parse_envelope(orjson.dumps({"source": source, "content": "x"}), limits=LIMITS)


def test_malformed_feed_or_page_urls_are_ignored() -> None:
    meta = {"url": "http://x.com:99999/a"}
    assert normalise_article(_raw("Title\n\nBody text.", metadata=meta)).url is None
    page = (
        '<html><head><link rel="canonical" href="http://x.com:99999/a"></head><body><article>'
        f"<p>{SENTENCE * 3}</p><p>{SENTENCE * 2}</p></article></body></html>"
    )
    assert normalise_article(_raw(page, content_type="text/html")).url is None
    env = normalise_article(_raw(page, content_type="text/html", url="https://x.com/b"))
    assert env.url == "https://x.com/b"


def test_a_date_with_an_offset_of_a_day_or_more_is_no_date() -> None:
    assert parse_date("2020-01-01 00:00 +2400") is None
    a = normalise_article(_raw("Title\n\nUpdated: 2020-01-01 00:00 +9900\n\nBody text here."))
    assert a.updated_at is None


def test_no_text_is_still_no_text() -> None:
    with pytest.raises(NoText):
        normalise_payload(b"Most Read\x00\n\nAdvertisement")
