"""What the adapters do with a message, decided without Kafka: publish an article downstream,
or dead-letter the input with the reason. Coordinates are plain data handed in by the agent."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from schemas import DeadLetter, Stage
from services.errors import PoisonError

Destination = Literal["normalized", "enriched", "deadletter"]


@dataclass(frozen=True, slots=True)
class Coordinates:
    topic: str
    partition: int
    offset: int


@dataclass(frozen=True, slots=True)
class Routed:
    destination: Destination
    key: bytes | None
    value: bytes
    schema: str  # the contract's name and version, sent as a header
    article_id: str | None = None
    error_code: str | None = None
    origin_timestamp: float | None = None  # when the raw article reached Kafka (epoch seconds)


def published(destination: Destination, article_id: str, value: bytes, schema: str) -> Routed:
    return Routed(destination, article_id.encode(), value, schema, article_id=article_id)


def dead_letter(
    stage: Stage,
    error: PoisonError,
    *,
    value: bytes,
    key: bytes | None,
    at: Coordinates,
    article_id: str | None = None,
    now: datetime | None = None,
) -> Routed:
    record = DeadLetter(
        stage=stage,
        error_code=error.code,
        reason=error.reason,
        original=value,
        original_size=len(value),
        original_sha256=hashlib.sha256(value).hexdigest(),
        original_key=key,
        article_id=article_id,
        source_topic=at.topic,
        source_partition=at.partition,
        source_offset=at.offset,
        failed_at=now or datetime.now(UTC),
    )
    return Routed("deadletter", key, record.model_dump_json().encode(), "DeadLetter/1",
                  article_id=article_id, error_code=error.code)  # fmt: skip
