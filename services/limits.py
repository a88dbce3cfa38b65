"""Resource limits of the pure core. Settings nest this (``NEWSFLOW_LIMITS__*``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Limits(BaseModel):
    """Input over a limit is dead-lettered with the reason, never truncated."""

    model_config = ConfigDict(frozen=True)

    max_raw_bytes: int = Field(default=2_000_000, ge=1_000, description="Largest raw message.")
    max_paragraphs: int = Field(default=2_000, ge=1, description="Most body paragraphs.")
    max_entities: int = Field(default=200, ge=1, description="Most entities kept per article.")
    max_control_ratio: float = Field(
        default=0.01, ge=0, le=1, description="Share of control characters that marks binary."
    )
