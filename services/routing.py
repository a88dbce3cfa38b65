"""The stage contract, without Kafka: a message in (value, key, coordinates), a routing
decision out (publish an article downstream, or dead-letter the input with the reason). Both
stages' handlers have the one shape ``Handler``; the runtime calls them, one message at a time,
off its event loop, each within a time budget."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal, Protocol

from pydantic import BaseModel

from newsflow.schemas import DeadLetter, Stage
from newsflow.services.budget import Budget
from newsflow.services.errors import OutputTooLarge, PoisonError

#: What a dead letter keeps of an input too large to carry whole (the whole input stays at its
#: source coordinates for as long as the topic retains it, with its sha256 in the letter).
PREFIX_BYTES = 16_384
#: Bytes a record takes on the wire beyond its key, value and headers: the record batch header
#: (61 bytes), the record's own varints and attributes, with room to spare.
RECORD_OVERHEAD = 256

Destination = Literal["normalized", "enriched", "deadletter"]
#: Each stage's input and output, by the short names of the topics.
STAGE_INPUT: dict[Stage, Literal["raw", "normalized"]] = {"ingest": "raw", "enrich": "normalized"}
STAGE_OUTPUT: dict[Stage, Destination] = {"ingest": "normalized", "enrich": "enriched"}


@dataclass(frozen=True, slots=True)
class Coordinates:
    topic: str
    partition: int
    offset: int


#: One message as a stage receives it: its value, its key, and where it was read.
Message = tuple[bytes | None, bytes | None, Coordinates]


def schema_header(model: type[BaseModel]) -> str:
    """The ``schema`` header of a contract: its name and version ("NormalizedArticle/1")."""
    return f"{model.__name__}/{model.model_fields['schema_version'].default}"


DEAD_LETTER = schema_header(DeadLetter)


@dataclass(frozen=True, slots=True)
class Routed:
    destination: Destination
    key: bytes | None
    value: bytes
    schema: str  # the contract's name and version, sent as a header
    article_id: str | None = None
    error_code: str | None = None
    origin_timestamp: float | None = None  # when the raw article reached Kafka (epoch seconds)
    truncated: bool = False  # a dead letter that carries only a prefix of its input
    traceparent: bytes | None = None  # the W3C trace context the input came with, carried on

    @property
    def size(self) -> int:
        """Bytes this record takes in a topic (key, value, headers and overhead), at most."""
        # content-type, schema, the origin timestamp and a W3C traceparent (55 bytes)
        headers = 128 + len(self.schema)
        return len(self.key or b"") + len(self.value) + headers + RECORD_OVERHEAD


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
    return Routed("deadletter", key, record.model_dump_json().encode(), DEAD_LETTER,
                  article_id=article_id, error_code=error.code)  # fmt: skip


def _letter(routed: Routed) -> DeadLetter:
    return DeadLetter.model_validate_json(routed.value)


def truncate(routed: Routed) -> Routed:
    """The same dead letter carrying only the first ``PREFIX_BYTES`` of its input (its size and
    sha256 stay, so the whole input can be found and checked at its source coordinates)."""
    letter = _letter(routed)
    slim = letter.model_copy(
        update={"original": letter.original[:PREFIX_BYTES], "original_truncated": True}
    )
    return Routed("deadletter", routed.key, slim.model_dump_json().encode(), routed.schema,
                  article_id=routed.article_id, error_code=routed.error_code,
                  origin_timestamp=routed.origin_timestamp, truncated=True)  # fmt: skip


def fit(
    routed: Routed,
    stage: Stage,
    *,
    value: bytes,
    key: bytes | None,
    at: Coordinates,
    max_bytes: int,
) -> Routed:
    """``routed`` if it fits in ``max_bytes``; else a dead letter that does: an article too
    large to publish becomes ``output_too_large``, and a dead letter too large to carry its
    input whole carries a prefix."""
    if routed.size <= max_bytes:
        return routed
    if routed.destination != "deadletter":
        error = OutputTooLarge(
            f"the {routed.destination} article would be {routed.size} bytes, over the "
            f"{max_bytes}-byte limit (NEWSFLOW_LIMITS__MAX_MESSAGE_BYTES); its input was "
            f"{len(value)} bytes"
        )
        letter = dead_letter(stage, error, value=value, key=key, at=at,
                             article_id=routed.article_id)  # fmt: skip
        routed = replace(letter, origin_timestamp=routed.origin_timestamp,
                         traceparent=routed.traceparent)  # fmt: skip
        if routed.size <= max_bytes:
            return routed
    return routed if routed.truncated else truncate(routed)


def degrade(
    routed: Routed,
    stage: Stage,
    error: PoisonError,
    *,
    value: bytes,
    key: bytes | None,
    at: Coordinates,
    max_bytes: int,
) -> Routed | None:
    """What to send instead of ``routed`` after the broker refused it for good (``error`` says
    why): an article -> a dead letter of its input; a whole dead letter -> its truncated form;
    a truncated dead letter -> None (nothing smaller is left to send)."""
    if routed.destination != "deadletter":
        letter = dead_letter(stage, error, value=value, key=key, at=at,
                             article_id=routed.article_id)  # fmt: skip
        return fit(letter, stage, value=value, key=key, at=at, max_bytes=max_bytes)
    return None if routed.truncated else truncate(routed)


class Handler(Protocol):
    """A stage's pure core for one message. It may also have ``prepare(messages)``: work done
    once for a whole batch before its messages are handled (enrich runs its model over all of
    them at once); best effort, since each message is still handled alone if it fails."""

    def __call__(
        self, value: bytes | None, key: bytes | None, at: Coordinates, budget: Budget
    ) -> Routed: ...
