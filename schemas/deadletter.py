"""A dead letter: a message that can never succeed, kept whole with the reason it failed."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Stage = Literal["ingest", "enrich"]
STAGES: tuple[Stage, ...] = ("ingest", "enrich")


class DeadLetter(BaseModel):
    """A message a stage could not turn into an article: the input kept (whole, or its first
    bytes with its size and hash), the reason, and where it was read."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, ser_json_bytes="base64", val_json_bytes="base64"
    )

    schema_version: Literal[1] = Field(
        default=1,
        description="Contract version; only 1 exists. What may change within it and what bumps"
        " it: docs/compatibility.md.",
    )
    stage: Stage = Field(
        description="The stage that gave up on the message: 'ingest' (it was a raw article) or"
        " 'enrich' (it was a normalised article)."
    )
    error_code: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Stable, machine-readable.")
    reason: str = Field(description="What went wrong, for a person.")
    original: bytes = Field(
        description="The message value exactly as received (base64url, RFC 4648 section 5); "
        "only its first bytes when original_truncated is true."
    )
    original_size: int | None = Field(
        default=None, ge=0, description="Bytes in the message value as received."
    )
    original_sha256: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 of the message value as received (hex).",
    )
    original_truncated: bool = Field(
        default=False,
        description="True when the dead letter would not fit whole: original is then a prefix, "
        "and the whole value is at source_topic/partition/offset while the topic retains it.",
    )
    original_key: bytes | None = Field(default=None, description="The message key (base64url).")
    article_id: str | None = Field(default=None, description="Known when the failure came late.")
    source_topic: str = Field(
        description="The topic the message was read from (`newsflow process`: the input file,"
        " with the line for JSON Lines)."
    )
    source_partition: int = Field(description="The partition of source_topic it was read from.")
    source_offset: int = Field(
        description="Its offset in that partition (`newsflow process`: its position among the"
        " inputs); the message is there while the topic retains it."
    )
    failed_at: datetime = Field(description="When the stage gave up on it (UTC, with offset).")
