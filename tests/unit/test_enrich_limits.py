"""The enrich core on costly but valid articles: it finishes, its output stays bounded, and what
is over a limit or over budget is refused with a typed error (pytest-timeout guards each test
against a hang; no test asserts on elapsed time)."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import chain, product, repeat

import pytest

from newsflow.schemas import DeadLetter, EnrichedArticle, NormalizedArticle
from newsflow.schemas.normalized import Caption, Paragraph
from newsflow.services.budget import Budget
from newsflow.services.enrich.enrich import Enricher
from newsflow.services.enrich.handler import handle_normalized
from newsflow.services.errors import TimedOut, TooLarge
from newsflow.services.limits import Limits
from newsflow.services.routing import Coordinates

SENTENCE = "Angela Merkel met Emmanuel Macron and Joe Biden."
AT = Coordinates("articles.normalized", 0, 7)


def article(
    title: str, paragraphs: list[str], *, standfirst: str | None = None, **extra: object
) -> NormalizedArticle:
    """An English article (the English models run only on English: lingua, asked, takes the
    name-heavy SENTENCE for Dutch)."""
    return NormalizedArticle.model_validate(
        {"article_id": "0" * 32, "source": "test", "language": "en", "title": title,
         "standfirst": standfirst,
         "body": [Paragraph(text=p) for p in paragraphs], "word_count": 0,
         "content_hash": "sha256:" + "0" * 64, "received_at": datetime(2025, 1, 1, tzinfo=UTC),
         **extra}
    )  # fmt: skip


def repeated_names(sentences: int, per_paragraph: int = 25) -> NormalizedArticle:
    """The same three names, ``sentences`` times: 25 sentences (1,224 characters) a paragraph."""
    paragraph = " ".join([SENTENCE] * per_paragraph)
    return article("Leaders meet", [paragraph] * (sentences // per_paragraph))


def distinct_names(n: int, per_paragraph: int = 20) -> NormalizedArticle:
    """``n`` different people ("Kalo Benvi said ..."), 20 a paragraph."""
    syllables = ["ka", "lo", "mi", "ren", "sa", "to", "vi", "dan", "bel", "cor"]
    firsts = ["".join(p).capitalize() for p in product(syllables, repeat=2)]
    lasts = ["".join(p).capitalize() for p in product(syllables, repeat=3)]
    names = [f"{first} {last}" for last, first in product(lasts, firsts)][:n]
    sentences = [f"{name} said the plan would work." for name in names]
    return article(
        "Many people speak",
        [" ".join(sentences[i : i + per_paragraph]) for i in range(0, n, per_paragraph)],
    )


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return Enricher()


@pytest.mark.timeout(300)
def test_a_name_repeated_40000_times_gives_a_bounded_record(enricher: Enricher) -> None:
    limits = Limits(max_article_chars=2_000_000)
    big = Enricher(limits=limits, nlp=enricher.nlp)
    source = repeated_names(40_000)  # 1,600 paragraphs, 1.96 million characters
    enriched = big.enrich(source)
    assert len(enriched.model_dump_json()) < 3_000_000  # was 10.5 MB, every mention listed
    counts = {e.name: e.count for e in enriched.entities}
    assert counts == {"Angela Merkel": 40_000, "Emmanuel Macron": 40_000, "Joe Biden": 40_000}
    for entity in enriched.entities:
        assert len(entity.mentions) == limits.max_mentions
        assert [m.field for m in entity.mentions] == [0] * 25 + [1] * 25 + [2] * 25 + [3] * 25


@pytest.mark.timeout(300)
def test_5000_different_names_finish_and_entities_are_capped(enricher: Enricher) -> None:
    source = distinct_names(5_000)
    enriched = enricher.enrich(source)
    assert len(enriched.entities) == enricher.limits.max_entities
    assert all(len(e.mentions) <= enricher.limits.max_mentions for e in enriched.entities)


def test_mentions_listed_are_the_first_in_reading_order(enricher: Enricher) -> None:
    small = Enricher(limits=Limits(max_mentions=3), nlp=enricher.nlp)
    enriched = small.enrich(article(f"Merkel in Paris. {SENTENCE}", [SENTENCE] * 4))
    merkel = next(e for e in enriched.entities if e.name == "Angela Merkel")
    assert merkel.count == 6
    assert [m.field for m in merkel.mentions] == ["title", "title", 0]
    assert [m.start for m in merkel.mentions] == [0, 17, 0]


@pytest.mark.parametrize("where", ["title", "standfirst", "paragraph"])
def test_a_field_over_max_paragraph_chars_is_too_large(enricher: Enricher, where: str) -> None:
    limits = enricher.limits
    long = "word " * (limits.max_paragraph_chars // 5) + "end."
    source = article(
        long if where == "title" else "Title",
        ["Fine.", long if where == "paragraph" else "Fine."],
        standfirst=long if where == "standfirst" else None,
    )
    with pytest.raises(TooLarge) as refused:
        enricher.enrich(source)
    assert refused.value.code == "too_large"
    name = "paragraph 1" if where == "paragraph" else where
    assert refused.value.reason == (
        f"{name} has {len(long):,} characters, over the limit of "
        f"{limits.max_paragraph_chars:,} per paragraph (max_paragraph_chars)"
    )


def test_an_article_over_max_article_chars_is_too_large(enricher: Enricher) -> None:
    limits = Limits(max_article_chars=5_000, max_paragraph_chars=1_000)
    small = Enricher(limits=limits, nlp=enricher.nlp)
    paragraph = "x" * 900
    caption = Caption(text="c" * 100, credit="d" * 100)
    fits = article("T" * 100, [paragraph] * 5, captions=[caption], authors=["a" * 100])  # 4,900
    assert isinstance(small.enrich(fits), EnrichedArticle)
    over = fits.model_copy(update={"related": ["r" * 101]})  # as ingest counts: 5,001
    with pytest.raises(TooLarge, match=r"article has 5,001 characters .* limit of 5,000"):
        small.enrich(over)


def test_the_model_accepts_every_field_within_the_limit(enricher: Enricher) -> None:
    limits = Limits(max_paragraph_chars=1_500_000, max_article_chars=2_000_000)
    big = Enricher(limits=limits, nlp=enricher.nlp)
    assert big.nlp.max_length >= limits.max_paragraph_chars  # no spaCy E088 within the limit


def test_an_expired_budget_is_a_timeout(enricher: Enricher) -> None:
    source = repeated_names(50)
    with pytest.raises(TimedOut) as over:
        enricher.enrich(source, budget=Budget(-1.0))
    assert over.value.code == "timeout"
    # The clock runs out during NER, after the title's doc came out of the pipe.
    clock = chain([0.0, 0.0, 0.0], repeat(100.0)).__next__  # Budget(), start, title, ...
    with pytest.raises(TimedOut, match="over the 10 s budget per message, at NER of paragraph 0"):
        enricher.enrich(source, budget=Budget(10.0, clock=clock))


def test_handle_normalized_routes_each_outcome(enricher: Enricher) -> None:
    ok = article("Merkel meets Macron", [SENTENCE])
    published = handle_normalized(
        enricher, ok.model_dump_json().encode(), b"k", AT, budget=Budget(30)
    )
    assert published.destination == "enriched" and published.article_id == ok.article_id
    assert published.schema == "EnrichedArticle/1"
    assert EnrichedArticle.model_validate_json(published.value).entities

    invalid = handle_normalized(enricher, b'{"title": 1}', b"k", AT, budget=Budget(30))
    assert (invalid.destination, invalid.error_code) == ("deadletter", "invalid_article")

    expired = handle_normalized(
        enricher, ok.model_dump_json().encode(), b"k", AT, budget=Budget(-1)
    )
    assert (expired.destination, expired.error_code) == ("deadletter", "timeout")
    letter = DeadLetter.model_validate_json(expired.value)
    assert letter.article_id == ok.article_id and letter.original == ok.model_dump_json().encode()
