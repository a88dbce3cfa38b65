"""Resource limits of the pure core. Settings nest this (``NEWSFLOW_LIMITS__*``).

Every size limit follows from one setting, ``max_message_bytes``: the largest record newsflow
writes to (or accepts from) a topic, and the ``max.message.bytes`` of the topics it creates.
A raw input may be half of it, so that the dead letter of any accepted input (the input in
base64, 4/3 of its size, plus the reason) still fits. Text limits bound the work per message
(time and memory grow with characters), and caps on entities and mentions bound the output."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Limits(BaseModel):
    """Input over a limit is dead-lettered with the reason, never truncated."""

    model_config = ConfigDict(frozen=True)

    max_message_bytes: int = Field(
        default=4_000_000,
        ge=64_000,
        description="Largest record on any topic (and max.message.bytes of topics newsflow "
        "creates); raw input may be half of it.",
    )
    max_article_chars: int = Field(
        default=500_000,
        ge=1_000,
        description="Most characters of text in one article (title, standfirst, body, captions, "
        "related); more is too_large.",
    )
    max_paragraph_chars: int = Field(
        default=10_000,
        ge=500,
        description="Longest paragraph: ingest splits a longer one at sentence ends; enrich "
        "refuses one (too_large) from another producer.",
    )
    max_paragraphs: int = Field(default=2_000, ge=1, description="Most body paragraphs.")
    max_entities: int = Field(default=200, ge=1, description="Most entities kept per article.")
    max_mentions: int = Field(
        default=100, ge=1, description="Most mentions listed per entity (count keeps them all)."
    )
    max_control_ratio: float = Field(
        default=0.01, ge=0, le=1, description="Share of control characters that marks binary."
    )
    message_seconds: float = Field(
        default=30.0, gt=0, description="Time budget of one message in a stage; over it: timeout."
    )

    @property
    def max_raw_bytes(self) -> int:
        """Largest raw message accepted: half the largest record."""
        return self.max_message_bytes // 2
