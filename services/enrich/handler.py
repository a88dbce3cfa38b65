"""The enrich stage for a batch of messages: bytes in, routing decisions out. No Kafka here."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from schemas import NormalizedArticle
from services.enrich.enrich import Enricher
from services.errors import InvalidArticle, PoisonError
from services.routing import Coordinates, Routed, dead_letter, published

SCHEMA = "EnrichedArticle/1"


def handle_normalized(
    enricher: Enricher, messages: Sequence[tuple[bytes | None, bytes | None, Coordinates]]
) -> list[Routed]:
    """One routing decision per message, in order. ``messages`` are (value, key, coordinates)."""
    decisions: list[Routed | None] = [None] * len(messages)
    articles: list[NormalizedArticle] = []
    where: list[int] = []
    for i, (value, key, at) in enumerate(messages):
        try:
            articles.append(NormalizedArticle.model_validate_json(value or b""))
            where.append(i)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            reason = f"not a NormalizedArticle: {exc.error_count()} error(s), first: {first['msg']}"
            decisions[i] = dead_letter(
                "enrich", InvalidArticle(reason), value=value or b"", key=key, at=at
            )
    for article, i, result in zip(articles, where, enricher.enrich_many(articles), strict=True):
        value, key, at = messages[i]
        if isinstance(result, PoisonError):
            decisions[i] = dead_letter("enrich", result, value=value or b"", key=key, at=at,
                                       article_id=article.article_id)  # fmt: skip
        else:
            decisions[i] = published(
                "enriched", result.article_id, result.model_dump_json().encode(), SCHEMA
            )
    return [d for d in decisions if d is not None]
