"""The ingest stage for one message: bytes in, a routing decision out. No Kafka here."""

from __future__ import annotations

from schemas import NormalizedArticle
from services.errors import PoisonError
from services.ingest.normalise import normalise_payload
from services.limits import Limits
from services.routing import Coordinates, Routed, dead_letter, published

SCHEMA = "NormalizedArticle/1"


def encode(article: NormalizedArticle) -> bytes:
    return article.model_dump_json().encode()


def handle_raw(
    value: bytes | None, key: bytes | None, at: Coordinates, *, limits: Limits
) -> Routed:
    payload = value or b""
    try:
        article = normalise_payload(payload, limits=limits, source_hint=at.topic)
    except PoisonError as exc:
        return dead_letter("ingest", exc, value=payload, key=key, at=at)
    return published("normalized", article.article_id, encode(article), SCHEMA)
