"""The normalised article: what the ingest stage publishes to ``articles.normalized``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Paragraph(BaseModel):
    """One block of the body. Entity mentions point into ``text`` by the paragraph's index."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1)
    kind: Literal["paragraph", "heading"] = "paragraph"


class Caption(BaseModel):
    """A photo caption and the credit line that came with it (photographer / agency)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    credit: str | None = None


class NormalizedArticle(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = 1
    article_id: str = Field(
        pattern=r"^[0-9a-f]{32}$",
        description=(
            "Stable id: derived from the canonical URL when there is one, else from the text,"
            " so a re-delivered article gets the same id. Also the Kafka message key."
        ),
    )
    source: str
    url: str | None = None
    title: str
    standfirst: str | None = Field(default=None, description="The summary under the headline.")
    authors: list[str] = Field(
        default_factory=list, description="People credited as the article's authors (byline)."
    )
    agencies: list[str] = Field(
        default_factory=list,
        description="News agencies credited for the story (Reuters, Associated Press, AFP...).",
    )
    published_at: datetime | None = Field(
        default=None,
        description=(
            "First publication, ISO-8601. One rule for every timestamp newsflow publishes: with"
            " a UTC offset when a source gave one; without one, it is the publisher's local"
            " clock time and the offset is unknown (newsflow never invents one). A date alone"
            " is midnight without an offset. Where it came from: metadata_sources."
        ),
    )
    updated_at: datetime | None = Field(
        default=None,
        description=(
            "Last update, ISO-8601, the same rule as published_at; never before it (compared"
            " by clock time when only one has an offset); absent when not updated."
        ),
    )
    language: str | None = Field(default=None, description="ISO 639-1 code, when detected.")
    body: list[Paragraph]
    captions: list[Caption] = Field(default_factory=list)
    related: list[str] = Field(default_factory=list, description="Headlines of linked stories.")
    word_count: int = Field(ge=0)
    content_hash: str = Field(
        pattern=r"^sha256:[0-9a-f]{64}$",
        description="SHA-256 of the normalised title, standfirst and body.",
    )
    received_at: datetime = Field(description="When the feed fetched it (from the envelope).")
    simhash: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{16}$",
        description="64-bit SimHash of title and body (hex); None for very short texts.",
    )
    duplicate_of: str | None = Field(
        default=None,
        description="article_id of an earlier article with near-identical text (same worker).",
    )
    provenance: dict[str, Literal["feed", "extracted"]] = Field(
        default_factory=dict,
        description="Per metadata field with a value: did the feed give it, or was it extracted?",
    )
    metadata_sources: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "Per metadata field: where its value came from ('feed', 'json-ld datePublished',"
            " 'meta article:published_time', 'h1', 'byline', 'url path'...; ingest's order of"
            " trust is in docs/decisions/0015), and why a value found was not used (an"
            " updated_at before published_at is dropped: 'dropped: ...')."
        ),
    )
