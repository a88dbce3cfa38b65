"""The upstream envelope: one raw article as a feed publishes it to ``articles.raw``."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

ContentType = Literal["text/plain", "text/html"]

# Control, zero-width and bidi-control characters: never part of a name or an address.
_JUNK = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ufffe]"
)


def clean_field(value: str) -> str:
    """A one-line envelope field as the text is cleaned: junk characters removed, whitespace
    trimmed and collapsed to single spaces (a feed's padding is not part of its name)."""
    return " ".join(_JUNK.sub("", value).split())


def http_url_problem(url: str) -> str | None:
    """Why ``url`` is not a usable absolute http(s) URL, or None if it is. Checks here what
    ``urllib.parse`` would otherwise raise later (a port out of range, a broken IPv6 literal),
    so a bad address is a bad envelope, not a crash deep inside."""
    if not url.startswith(("http://", "https://")):
        return "url must be an absolute http(s) URL"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not 0-65535
    except ValueError as exc:
        return f"url is malformed: {exc}"
    host = parts.hostname
    if not host or any(ch.isspace() for ch in host):
        return "url has no valid host"
    return None


def valid_http_url(value: object) -> str | None:
    """``value`` cleaned, if it is a usable absolute http(s) URL; otherwise None."""
    if not isinstance(value, str):
        return None
    url = clean_field(value)
    return url if url and http_url_problem(url) is None else None


def _now() -> datetime:
    return datetime.now(UTC)


class RawArticle(BaseModel):
    """A raw article. Unknown top-level fields are ignored (feeds add fields over time);
    anything a feed wants carried along belongs in ``metadata``."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=False)

    schema_version: Literal[1] = Field(
        default=1, description="Envelope version; only 1 exists. Anything else is refused."
    )
    source: str = Field(
        min_length=1,
        max_length=200,
        description="Feed name (whitespace trimmed and collapsed, control characters removed; "
        "blank is refused).",
    )
    url: str | None = Field(
        default=None,
        max_length=4096,
        description="Page URL, if known: absolute http(s), with a valid host and port.",
    )
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

    @field_validator("source", mode="before")
    @classmethod
    def _clean_source(cls, value: object) -> object:
        """Cleaned like the text; a source that is blank once cleaned fails ``min_length``."""
        return clean_field(value) if isinstance(value, str) else value

    @field_validator("url", mode="before")
    @classmethod
    def _http_url(cls, value: object) -> object:
        if not isinstance(value, str):
            return value  # None stays None; any other type fails the type check
        url = clean_field(value)
        if not url:
            return None
        if (problem := http_url_problem(url)) is not None:
            raise ValueError(problem)
        return url

    @field_validator("received_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
