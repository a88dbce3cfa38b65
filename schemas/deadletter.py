"""A dead letter: a message that can never succeed, kept whole with the reason it failed."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Stage = Literal["ingest", "enrich"]
STAGES: tuple[Stage, ...] = ("ingest", "enrich")


class DeadLetter(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, ser_json_bytes="base64", val_json_bytes="base64"
    )

    schema_version: Literal[1] = 1
    stage: Stage
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
    source_topic: str
    source_partition: int
    source_offset: int
    failed_at: datetime
