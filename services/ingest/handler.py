"""The ingest stage for one message: bytes in, a routing decision out. No Kafka here."""

from __future__ import annotations

from newsflow.schemas import NormalizedArticle
from newsflow.services.budget import UNLIMITED, Budget
from newsflow.services.errors import PoisonError
from newsflow.services.ingest.dedupe import NearDuplicateIndex
from newsflow.services.ingest.normalise import normalise_payload
from newsflow.services.limits import Limits
from newsflow.services.routing import (
    Coordinates,
    Handler,
    Routed,
    dead_letter,
    published,
    schema_header,
)

SCHEMA = schema_header(NormalizedArticle)


def encode(article: NormalizedArticle) -> bytes:
    return article.model_dump_json().encode()


def mark_duplicate(article: NormalizedArticle, index: NearDuplicateIndex) -> NormalizedArticle:
    """Point a near-duplicate at the earlier article, and remember this one. Never drops it."""
    if article.simhash is None:
        return article
    fp = int(article.simhash, 16)
    earlier = index.find(fp, exclude=article.article_id)
    index.add(article.article_id, fp)
    return article.model_copy(update={"duplicate_of": earlier}) if earlier else article


def handle_raw(
    value: bytes | None,
    key: bytes | None,
    at: Coordinates,
    *,
    limits: Limits,
    index: NearDuplicateIndex | None = None,
    budget: Budget = UNLIMITED,
) -> Routed:
    """Normalise one message, or dead-letter it with the reason: every ``PoisonError``,
    including ``TimedOut`` once ``budget`` (e.g. ``Budget(limits.message_seconds)``) is spent."""
    payload = value or b""
    try:
        article = normalise_payload(payload, limits=limits, source_hint=at.topic, budget=budget)
    except PoisonError as exc:
        return dead_letter("ingest", exc, value=payload, key=key, at=at)
    if index is not None:
        article = mark_duplicate(article, index)
    return published("normalized", article.article_id, encode(article), SCHEMA)


def ingest_handler(limits: Limits, index: NearDuplicateIndex | None = None) -> Handler:
    """The ingest stage's handler: ``handle_raw`` with these limits and dedupe index."""

    def handle(value: bytes | None, key: bytes | None, at: Coordinates, budget: Budget) -> Routed:
        return handle_raw(value, key, at, limits=limits, index=index, budget=budget)

    return handle
