"""Bounds on the work one message may cause: paragraphs split to a most length, the article's
characters counted against its limit, and the time budget checked inside the loops that grow
with the input. Everything here is linear in the text it is given."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from typing import TypeVar

from newsflow.schemas import Paragraph
from newsflow.services.budget import UNLIMITED, Budget
from newsflow.services.errors import TooLarge
from newsflow.services.ingest.extracted import Extracted

T = TypeVar("T")

#: How many items a loop handles between two looks at the clock (a look costs ~50 ns).
CHECK_EVERY = 256

#: The input may carry this many times the article limit in characters before extraction is
#: not worth trying: boilerplate, markup-free chrome and blank lines rarely double a page's text.
EARLY_FACTOR = 2

# A sentence ends at . ! ? or … (then any closing quotes or brackets) before whitespace, or at
# a CJK full stop, which needs no space after it. Group 1 is the whitespace a cut drops.
_SENTENCE_END = re.compile(r"(?:[.!?…][\"'”’»)\]]*(?=\s)|[。！？][\"'”’»)\]]*)(\s*)")
_SPACE = re.compile(r"\s+")


def checked(items: Iterable[T], budget: Budget, step: str) -> Iterator[T]:
    """``items``, with ``budget.check(step)`` every ``CHECK_EVERY`` of them: a loop over a
    costly input ends with ``TimedOut`` instead of running for minutes."""
    if budget is UNLIMITED:
        yield from items
        return
    for i, item in enumerate(items):
        if not i % CHECK_EVERY:
            budget.check(step)
        yield item


def split_text(text: str, limit: int) -> list[str]:
    """``text`` (stripped) in pieces of at most ``limit`` characters. Whole sentences are packed
    greedily; a sentence longer than ``limit`` is cut at its last whitespace before the limit,
    or hard-cut where there is none. Only the whitespace at a cut is dropped. Sentence ends and
    whitespace runs are found once, and each cut is a binary search: linear in ``text``."""
    if len(text) <= limit:
        return [text]
    ends: list[int] = []  # where a sentence ends ...
    nexts: list[int] = []  # ... and where the text after it starts (past the whitespace)
    for m in _SENTENCE_END.finditer(text):
        ends.append(m.start(1))
        nexts.append(m.end(1))
    spaces = [(m.start(), m.end()) for m in _SPACE.finditer(text)]
    space_starts = [start for start, _ in spaces]
    pieces: list[str] = []
    start = 0
    while len(text) - start > limit:
        i = bisect_right(ends, start + limit) - 1
        j = bisect_right(space_starts, start + limit) - 1
        if i >= 0 and ends[i] > start:
            cut, start_next = ends[i], nexts[i]
        elif j >= 0 and space_starts[j] > start:
            cut, start_next = spaces[j]
        else:
            cut = start_next = start + limit
        pieces.append(text[start:cut])
        start = start_next
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def split_long_paragraphs(
    body: list[Paragraph], limit: int, budget: Budget = UNLIMITED
) -> list[Paragraph]:
    """The body with every paragraph (or heading) over ``limit`` characters split by
    ``split_text``; each piece keeps the kind of the block it came from. The one place both
    extractors' output goes through, so neither needs its own rule."""
    out: list[Paragraph] = []
    for paragraph in checked(body, budget, "splitting paragraphs"):
        if len(paragraph.text) <= limit:
            out.append(paragraph)
            continue
        kind = paragraph.kind
        out.extend(Paragraph(text=piece, kind=kind) for piece in split_text(paragraph.text, limit))
    return out


def article_chars(out: Extracted, title: str) -> int:
    """Characters of text the article carries: title, standfirst, body, captions (text and
    credit), related headlines and author names. Output size and downstream work follow it."""
    return (
        len(title)
        + len(out.standfirst or "")
        + sum(len(p.text) for p in out.body)
        + sum(len(c.text) + len(c.credit or "") for c in out.captions)
        + sum(len(r) for r in out.related)
        + sum(len(a) for a in out.authors)
    )


def check_article_chars(out: Extracted, title: str, limit: int) -> None:
    """Raise ``TooLarge`` when the extracted article has more text than ``limit``."""
    chars = article_chars(out, title)
    if chars > limit:
        raise TooLarge(
            f"{chars} characters of text (title, standfirst, body, captions, related, authors);"
            f" the limit is {limit}"
        )


def check_early(chars: int, what: str, article_limit: int) -> None:
    """Fail fast, before the costly extraction, on input that cannot hold an article under
    the limit: more than ``EARLY_FACTOR`` times ``article_limit`` characters of ``what``."""
    most = EARLY_FACTOR * article_limit
    if chars > most:
        raise TooLarge(
            f"{what} has {chars} characters, more than {EARLY_FACTOR} x the article limit of "
            f"{article_limit} ({most}); the article could not be under the limit"
        )
