"""Cost stays linear in input size: adversarial 5 MB inputs finish (pytest-timeout guards each;
bench/ measures the scaling). A backtracking regex would hang here for hours."""

from __future__ import annotations

import pytest

from schemas import RawArticle
from services.errors import PoisonError, TooDeep
from services.ingest.normalise import normalise_article
from services.limits import Limits

MB5 = 5_000_000
BIG = Limits(
    max_message_bytes=20_000_000, max_paragraphs=1_000_000, max_article_chars=10_000_000
)
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
