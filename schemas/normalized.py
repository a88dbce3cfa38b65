"""The normalised article: what the ingest stage publishes to ``articles.normalized``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Paragraph(BaseModel):
    """One block of the body. Entity mentions point into ``text`` by the paragraph's index."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(
        min_length=1,
        description="The block's text: one line, whitespace collapsed, never empty. A mention"
        " whose field is this paragraph's index points into it.",
    )
    kind: Literal["paragraph", "heading"] = Field(
        default="paragraph",
        description="'heading' for a sub-heading inside the story, 'paragraph' for running text.",
    )


class Caption(BaseModel):
    """A photo caption and the credit line that came with it (photographer / agency)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(
        description="The caption, without labels such as 'Image caption' and without its credit."
    )
    credit: str | None = Field(
        default=None,
        description="Who is credited for the photo (photographer, agency: 'Jane Doe / AFP'), as"
        " the page gave it; null when the caption had no credit.",
    )


class NormalizedArticle(BaseModel):
    """One article as the ingest stage publishes it: its text as paragraphs, its metadata, and
    where each metadata value came from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = Field(
        default=1,
        description="Contract version; only 1 exists. What may change within it and what bumps"
        " it: docs/compatibility.md.",
    )
    article_id: str = Field(
        pattern=r"^[0-9a-f]{32}$",
        description=(
            "Stable id: derived from the canonical URL when there is one, else from the text,"
            " so a re-delivered article gets the same id. Also the Kafka message key."
        ),
    )
    source: str = Field(
        description="The feed's name: the raw envelope's source (cleaned), or the name of the"
        " topic the raw message was read from when it was bare text or HTML or had no source."
    )
    url: str | None = Field(
        default=None,
        description="The article's address: the envelope's url, else metadata.url, else (HTML)"
        " the page's own canonical link; absolute http(s), as given (article_id is derived"
        " from its canonical form). Null when none is known.",
    )
    title: str = Field(
        description="The headline, never empty: the feed's metadata.title, else the one"
        " extracted (HTML: the displayed headline, site and section affixes cut; plain text:"
        " the first line that is not site chrome), else the body's first paragraph."
    )
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
    body: list[Paragraph] = Field(
        description="The story's text in reading order, paragraphs and sub-headings, boilerplate"
        " removed; never empty. Mentions name a paragraph by its index (0-based)."
    )
    captions: list[Caption] = Field(
        default_factory=list,
        description="Photo captions found with the story, in order, each once, with its credit.",
    )
    related: list[str] = Field(default_factory=list, description="Headlines of linked stories.")
    word_count: int = Field(
        ge=0,
        description="Words in the body (split on whitespace); title and standfirst not counted.",
    )
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
