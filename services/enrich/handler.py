"""The enrich stage for one message: bytes in, a routing decision out. No Kafka here.

``prepare`` may run first over the messages of a batch: it runs the model over all the valid
articles within the limits at once (faster than one model call per article), and each
message's ``handle_normalized`` then starts from what it found. Without it, or for a message
it left out, ``handle_normalized`` does the whole work itself."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from newsflow.schemas import EnrichedArticle, NormalizedArticle
from newsflow.services.budget import Budget
from newsflow.services.enrich.enrich import Enricher
from newsflow.services.enrich.mentions import RawMention
from newsflow.services.errors import InvalidArticle, PoisonError
from newsflow.services.routing import (
    Coordinates,
    Message,
    Routed,
    dead_letter,
    published,
    schema_header,
)

SCHEMA = schema_header(EnrichedArticle)
#: A message's article and the model's mentions in it, found for its whole batch.
Prepared = tuple[NormalizedArticle, list[RawMention]]


def prepare(enricher: Enricher, messages: Sequence[Message]) -> dict[Coordinates, Prepared]:
    """The model over every message that is a valid article within the limits, at once. May
    raise what the model raises: then nothing is prepared, and each message is handled
    alone, so a failure costs only the article that causes it."""
    articles: list[tuple[Coordinates, NormalizedArticle]] = []
    for value, _key, at in messages:
        try:
            article = NormalizedArticle.model_validate_json(value or b"")
        except ValidationError:
            continue  # handle_normalized dead-letters it with the reason
        if enricher.fits(article):
            articles.append((at, article))
    found = enricher.model_mentions([a for _, a in articles])
    return {at: (a, m) for (at, a), m in zip(articles, found, strict=True)}


def handle_normalized(
    enricher: Enricher,
    value: bytes | None,
    key: bytes | None,
    at: Coordinates,
    *,
    budget: Budget,
    prepared: Prepared | None = None,
) -> Routed:
    """Validate, enrich within ``budget``, and publish; any poison is dead-lettered instead
    (with the article's id once the input is known to be an article)."""
    original = value or b""
    if prepared is not None:
        article, mentions = prepared
    else:
        mentions = None
        try:
            article = NormalizedArticle.model_validate_json(original)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            reason = f"not a NormalizedArticle: {exc.error_count()} error(s), first: {first['msg']}"
            return dead_letter("enrich", InvalidArticle(reason), value=original, key=key, at=at)
    try:
        result = enricher.enrich(article, budget=budget, mentions=mentions)
    except PoisonError as exc:
        return dead_letter("enrich", exc, value=original, key=key, at=at,
                           article_id=article.article_id)  # fmt: skip
    return published("enriched", result.article_id, result.model_dump_json().encode(), SCHEMA)


class EnrichHandler:
    """The enrich stage's handler: one message at a time, after ``prepare`` ran the model over
    its batch at once."""

    def __init__(self, enricher: Enricher) -> None:
        self.enricher = enricher
        self.prepared: dict[Coordinates, Prepared] = {}

    def prepare(self, messages: Sequence[Message]) -> None:
        self.prepared = {}
        self.prepared = prepare(self.enricher, messages)

    def __call__(
        self, value: bytes | None, key: bytes | None, at: Coordinates, budget: Budget
    ) -> Routed:
        return handle_normalized(self.enricher, value, key, at, budget=budget,
                                 prepared=self.prepared.pop(at, None))  # fmt: skip
