"""Cost stays linear in input size: adversarial 5 MB inputs and costly 2 MB ones finish
(pytest-timeout guards each; bench/ measures the scaling). A backtracking regex would hang here
for hours, and a list scanned once per item for minutes."""

from __future__ import annotations

import contextlib

import pytest

from newsflow.schemas import RawArticle
from newsflow.services.errors import PoisonError, TooDeep
from newsflow.services.ingest.normalise import normalise_article
from newsflow.services.limits import Limits

MB5 = 5_000_000
BIG = Limits(max_message_bytes=20_000_000, max_paragraphs=1_000_000, max_article_chars=10_000_000)
CASES = {
    "one long line": "Title\n\n" + "word " * (MB5 // 5),
    "no spaces": "Title\n\n" + "a" * MB5,
    "caption-like": "Title\n\n" + "Photo. " * (MB5 // 7) + "Jane Roe / EPA",
    "datelines": "Title\n\n" + "CAIRO (Reuters) - " * (MB5 // 18),
    "read more": "Title\n\n" + "Read more:\n" * (MB5 // 11) + "\n\nA body paragraph that is real.",
    "bylines": "Title\n\n" + "By By By By " * (MB5 // 12),
    "paragraphs": "Title\n\n" + "Short paragraph here.\n\n" * (MB5 // 23),
    "html open tags": "<html><body>" + "<a " * (MB5 // 3),
    "html long paragraph": "<html><body><p>" + "word " * (MB5 // 5) + "</p></body></html>",
    "html nested 100k": "<html><body>" + "<div>" * 100_000 + "text" + "</div>" * 100_000,
}

MB2 = 1_990_000  # costly but valid inputs, just under the default raw limit (2 MB)
_P = "<p>The council met on Monday to discuss the harbour plan and voted against it.</p>"
COSTLY = {
    "html, no title, thousands of <p>": "<html><body>" + _P * (MB2 // len(_P)),
    "one 600,000-character paragraph": "Title\n\n" + ("Sentence here. " * 40_000)[:600_000],
    "20,000 caption lines": "Boats\n\n" + "\n\n".join(
        f"Boats {i} moored in the harbour at dawn on Monday. Photograph: Jane Doe {i}/Reuters"
        for i in range(20_000)
    ) + "\n\nA body paragraph that is real.",
    "1,550 paragraphs of names": "Summit\n\n" + "\n\n".join(
        [" ".join(["Angela Merkel met Emmanuel Macron and Joe Biden."] * 25)] * 1_550
    ),
    "html, 49,000 figure captions": "<html><body><p>The council met.</p>" + "".join(
        f"<figure><img><figcaption>B{i}</figure>" for i in range(49_000)
    ),
    "20,000 bylines": "Story\n\n" + "\n\n".join(
        f"By {chr(65 + i % 26)}{i:x}a Surname{i}" for i in range(20_000)
    ) + "\n\nA body paragraph that is real.",
    "20,000 read-more lines": "Story\n\n" + "\n\n".join(
        f"Read more: Headline number {i} about the harbour" for i in range(20_000)
    ) + "\n\nA body paragraph that is real.",
}  # fmt: skip


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", COSTLY)
def test_costly_2mb_input_finishes(name: str) -> None:
    """With room in every limit, so the whole extraction runs (a caption or author list that
    scanned itself per add took minutes here); default limits refuse most of these early."""
    text = COSTLY[name]
    assert len(text.encode()) <= MB2
    kind = "text/html" if text.startswith("<html") else "text/plain"
    for limits in (BIG, Limits()):
        with contextlib.suppress(PoisonError):  # a typed refusal is fine; a hang or crash is not
            normalise_article(
                RawArticle(source="t", content=text, content_type=kind), limits=limits
            )


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", CASES)
def test_5mb_adversarial_input_finishes(name: str) -> None:
    text = CASES[name]
    kind = "text/html" if text.startswith("<html") else "text/plain"
    raw = RawArticle(source="t", content=text, content_type=kind)
    if name == "html nested 100k":
        with pytest.raises(TooDeep):
            normalise_article(raw, limits=BIG)
        return
    try:
        article = normalise_article(raw, limits=BIG)
    except PoisonError:
        return  # a typed refusal is a fine outcome; a hang or a crash is not
    assert article.word_count >= 0
