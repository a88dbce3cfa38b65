"""What an extractor (plain text or HTML) finds, before ids, hashes and language are added."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from newsflow.schemas import Caption, Paragraph


@dataclass(slots=True)
class Extracted:
    """Captions and authors are kept once each. Add them with ``add_caption``/``add_author``
    (and ``credit_last_caption``), which keep a set of what is there beside each list: a scan
    of the list per add made a page with thousands of captions quadratic (16,000 lines: 7 s)."""

    title: str | None = None
    standfirst: str | None = None
    authors: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    updated_at: datetime | None = None
    body: list[Paragraph] = field(default_factory=list)
    captions: list[Caption] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    url: str | None = None
    language: str | None = None
    from_feed: set[str] = field(default_factory=set)  # fields the envelope's metadata gave
    sources: dict[str, str] = field(default_factory=dict)  # field -> where its value came from
    _caption_keys: set[tuple[str, str | None]] = field(default_factory=set, repr=False)
    _author_keys: set[str] = field(default_factory=set, repr=False)

    def add_caption(self, text: str, credit: str | None) -> None:
        """Scrapers often repeat a caption; keep each once."""
        if (text, credit) not in self._caption_keys:
            self._caption_keys.add((text, credit))
            self.captions.append(Caption(text=text, credit=credit))

    def credit_last_caption(self, credit: str) -> None:
        """A credit on a line of its own belongs to the caption just before it, if that one
        has none yet (the credited caption is then kept once, like any other)."""
        if self.captions and self.captions[-1].credit is None:
            last = self.captions.pop()
            self._caption_keys.discard((last.text, None))
            self.add_caption(last.text, credit)

    def add_author(self, name: str) -> None:
        if name and name not in self._author_keys:
            self._author_keys.add(name)
            self.authors.append(name)
