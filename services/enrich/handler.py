"""The enrich stage for one message: bytes in, a routing decision out. No Kafka here."""

from __future__ import annotations

from pydantic import ValidationError

from schemas import NormalizedArticle
from services.budget import Budget
from services.enrich.enrich import Enricher
from services.errors import InvalidArticle, PoisonError
from services.routing import Coordinates, Routed, dead_letter, published

SCHEMA = "EnrichedArticle/1"


def handle_normalized(
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
