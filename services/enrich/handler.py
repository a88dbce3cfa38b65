"""The enrich stage for one message: bytes in, a routing decision out. No Kafka here."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from schemas import NormalizedArticle
from services.budget import Budget
from services.enrich.enrich import Enricher
from services.errors import InvalidArticle, PoisonError
from services.routing import Coordinates, Routed, dead_letter, published

SCHEMA = "EnrichedArticle/1"


def handle_one(
    enricher: Enricher, value: bytes | None, key: bytes | None, at: Coordinates, *, budget: Budget
) -> Routed:
    """Validate, enrich within ``budget``, and publish; any poison is dead-lettered instead
    (with the article's id once the input is known to be an article)."""
    original = value or b""
    try:
        article = NormalizedArticle.model_validate_json(original)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        reason = f"not a NormalizedArticle: {exc.error_count()} error(s), first: {first['msg']}"
        return dead_letter("enrich", InvalidArticle(reason), value=original, key=key, at=at)
    try:
        result = enricher.enrich(article, budget=budget)
    except PoisonError as exc:
        return dead_letter("enrich", exc, value=original, key=key, at=at,
                           article_id=article.article_id)  # fmt: skip
    return published("enriched", result.article_id, result.model_dump_json().encode(), SCHEMA)


def handle_normalized(
    enricher: Enricher, messages: Sequence[tuple[bytes | None, bytes | None, Coordinates]]
) -> list[Routed]:
    """One routing decision per message, in order; each message gets its own time budget.
    Kept for callers still handing in batches (``messages`` are (value, key, coordinates))."""
    return [
        handle_one(enricher, value, key, at, budget=Budget(enricher.limits.message_seconds))
        for value, key, at in messages
    ]
