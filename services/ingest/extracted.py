"""What an extractor (plain text or HTML) finds, before ids, hashes and language are added."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from schemas import Caption, Paragraph


@dataclass(slots=True)
class Extracted:
    title: str | None = None
    standfirst: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    updated_at: datetime | None = None
    body: list[Paragraph] = field(default_factory=list)
    captions: list[Caption] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    url: str | None = None
    language: str | None = None
    from_feed: set[str] = field(default_factory=set)  # fields the envelope's metadata gave

    def add_caption(self, text: str, credit: str | None) -> None:
        """Scrapers often repeat a caption; keep each once."""
        if not any(c.text == text and c.credit == credit for c in self.captions):
            self.captions.append(Caption(text=text, credit=credit))

    def add_author(self, name: str) -> None:
        if name and name not in self.authors:
            self.authors.append(name)
