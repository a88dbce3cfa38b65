"""The upstream envelope: one raw article as a feed publishes it to ``articles.raw``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ContentType = Literal["text/plain", "text/html"]


def _now() -> datetime:
    return datetime.now(UTC)


class RawArticle(BaseModel):
    """A raw article. Unknown top-level fields are ignored (feeds add fields over time);
    anything a feed wants carried along belongs in ``metadata``."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=False)

    schema_version: Literal[1] = Field(
        default=1, description="Envelope version; only 1 exists. Anything else is refused."
    )
    source: str = Field(min_length=1, max_length=200, description="Feed name.")
    url: str | None = Field(default=None, max_length=4096, description="Page URL, if known.")
    received_at: datetime = Field(
        default_factory=_now, description="When the feed fetched the article (UTC if no zone)."
    )
    content_type: ContentType = Field(
        default="text/plain", description="What `content` holds: scraped text or an HTML page."
    )
    content: str = Field(min_length=1, description="The scraped text or HTML.")
    metadata: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "Free fields from the feed. Recognised keys (title, url, published, authors, language)"
            " are kept in the normalised article."
        ),
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("url must be an absolute http(s) URL")
        return value

    @field_validator("received_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
