"""Plain-text scrapes: headline on the first line, then standfirst, captions, sub-headings,
body paragraphs, with site chrome mixed in. One pass over the lines, then one over the blocks."""

from __future__ import annotations

from dataclasses import dataclass

from newsflow.schemas import Paragraph
from newsflow.services.budget import UNLIMITED, Budget
from newsflow.services.ingest import chrome
from newsflow.services.ingest.bounds import checked
from newsflow.services.ingest.dates import parse_date
from newsflow.services.ingest.extracted import Extracted

MAX_RELATED = 20
MAX_STANDFIRST_WORDS = 80
MAX_HEADING_WORDS = 12
MAX_HEADLINE_WORDS = 25
_TERMINAL = (".", "!", "?", ":", ";", ",", '"', "”", "’", "'", ")", "…")


@dataclass(slots=True)
class _Line:
    text: str
    gap: int  # blank lines before it


@dataclass(slots=True)
class _Block:
    text: str
    captions_before: int  # captions seen before this block


def _lines(text: str, budget: Budget) -> list[_Line]:
    out: list[_Line] = []
    gap = 0
    for raw in checked(text.split("\n"), budget, "plain-text lines"):
        if raw:
            out.append(_Line(raw, gap))
            gap = 0
        else:
            gap += 1
    return out


def _is_headline(line: str) -> bool:
    return chrome.word_count(line) <= MAX_HEADLINE_WORDS and not line.endswith(".")


def _headline_under(line: str, feed_title: str) -> bool:
    """Whether a scrape's first line is its headline when the feed names the title: the same
    words, or a short line that ends no sentence. A line ending on a full stop, a quote or
    other closing punctuation is the story ('Yellen said: "We will act."')."""
    return line == feed_title or (
        chrome.word_count(line) <= MAX_HEADLINE_WORDS and not line.endswith(_TERMINAL)
    )


def _is_heading(line: str) -> bool:
    return (
        chrome.word_count(line) <= MAX_HEADING_WORDS
        and line[0].isupper()
        and not line.endswith(_TERMINAL)
    )


def parse_plain_text(
    text: str, *, budget: Budget = UNLIMITED, feed_title: str | None = None
) -> Extracted:
    """Structure a cleaned plain-text scrape (see ``cleantext.clean_text``). The loops look at
    ``budget`` every few hundred lines, so a costly scrape ends with ``TimedOut``.

    The first line is the headline, unless the feed gives the title (``feed_title``) and the
    first line is not a headline: then the scrape starts with its story ("WASHINGTON (Reuters)
    - Treasury Secretary Janet Yellen said on Tuesday..."), and that line is its first
    paragraph, not a title the feed's replaces."""
    out = Extracted()
    lines = _lines(text, budget)
    start = next(
        (i for i, line in enumerate(checked(lines, budget, "plain-text title"))
         if not chrome.is_chrome(line.text)),
        len(lines),
    )  # fmt: skip
    first = lines[start].text if start < len(lines) else None
    if first is not None and (feed_title is None or _headline_under(first, feed_title)):
        out.title = first
        start += 1

    blocks: list[_Block] = []
    in_related = False
    for line in checked(lines[start:], budget, "plain-text structure"):
        s = line.text
        if in_related:
            if line.gap <= 1 and _is_headline(s) and len(out.related) < MAX_RELATED:
                out.related.append(s)
                continue
            in_related = False
        if chrome.key(s) in chrome.READ_MORE_KEYS:
            in_related = True
            continue
        if (headline := chrome.read_more_inline(s)) is not None:
            out.related.append(headline)
            continue
        if take_furniture(out, s):
            continue
        blocks.append(_Block(s, len(out.captions)))

    _assemble(out, blocks, budget)
    return out


def take_furniture(out: Extracted, s: str) -> bool:
    """Record a dated line, byline, caption or credit; drop chrome. True if ``s`` was one."""
    if (dated := chrome.date_line(s)) is not None and (when := parse_date(dated[1])):
        if dated[0] == "updated":
            out.updated_at = out.updated_at or when
        else:
            out.published_at = out.published_at or when
        return True
    if chrome.is_chrome(s) or chrome.site_line(s):
        return True
    if (names := chrome.byline(s)) is not None:
        for name in names:
            out.add_author(name)
        return True
    if (caption := chrome.split_caption(s)) is not None:
        out.add_caption(*caption)
        return True
    if (credit := chrome.credit_only(s)) is not None:
        out.credit_last_caption(credit)
        return True
    return False


def _assemble(out: Extracted, blocks: list[_Block], budget: Budget) -> None:
    if not blocks:
        return
    first = blocks[0]
    captions_follow = len(blocks) > 1 and blocks[1].captions_before > first.captions_before
    # A standfirst only when a body is left after it: a headline and one paragraph (a wire
    # brief, a feed's title and description) is an article whose paragraph is its body.
    if (
        len(blocks) > 1
        and chrome.word_count(first.text) <= MAX_STANDFIRST_WORDS
        and (captions_follow or not first.text.endswith(_TERMINAL))
    ):
        out.standfirst = first.text
        blocks = blocks[1:]
    body: list[Paragraph] = []
    for i, block in enumerate(checked(blocks, budget, "plain-text paragraphs")):
        text = block.text
        if not body:
            text = chrome.strip_dateline(text)
        kind = "heading" if i + 1 < len(blocks) and body and _is_heading(text) else "paragraph"
        body.append(Paragraph(text=text, kind=kind))
    out.body = body
