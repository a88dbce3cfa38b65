"""The ingest stage's pure core: ``normalise_article(raw) -> NormalizedArticle``."""

from __future__ import annotations

from typing import Any, Literal

from schemas import NormalizedArticle, RawArticle
from services.errors import NoText, TooLarge
from services.ingest.cleantext import clean_line, clean_text
from services.ingest.dates import parse_date
from services.ingest.dedupe import simhash
from services.ingest.envelope import parse_envelope
from services.ingest.extracted import Extracted
from services.ingest.html import parse_html
from services.ingest.identity import article_id, content_hash
from services.ingest.language import detect_language
from services.ingest.plaintext import parse_plain_text
from services.limits import Limits

_DEFAULT_LIMITS = Limits()


def _apply_metadata(out: Extracted, meta: dict[str, Any], url: str | None) -> None:
    """Fields the feed already knows win over what extraction found (and are recorded)."""

    def feed(name: str, value: object) -> None:
        if value not in (None, "", []):
            setattr(out, name, value)
            out.from_feed.add(name)

    title = meta.get("title")
    feed("title", clean_line(title) if isinstance(title, str) else None)
    standfirst = meta.get("standfirst") or meta.get("description")
    feed("standfirst", clean_line(standfirst) if isinstance(standfirst, str) else None)
    for name, keys in (("published_at", ("published_at", "published")),
                       ("updated_at", ("updated_at", "updated"))):  # fmt: skip
        raw = next((meta[k] for k in keys if isinstance(meta.get(k), str)), None)
        feed(name, parse_date(raw))
    authors = meta.get("authors")
    if isinstance(authors, list) and all(isinstance(a, str) for a in authors):
        feed("authors", [clean_line(a) for a in authors if clean_line(a)])
    lang = meta.get("language")
    feed(
        "language",
        lang.lower() if isinstance(lang, str) and len(lang) == 2 and lang.isalpha() else None,
    )
    meta_url = meta.get("url")
    feed(
        "url",
        url or (meta_url if isinstance(meta_url, str) and meta_url.startswith("http") else None),
    )


def normalise_article(raw: RawArticle, *, limits: Limits = _DEFAULT_LIMITS) -> NormalizedArticle:
    """Normalise one raw article. Raises only ``PoisonError`` subclasses."""
    if len(raw.content) > limits.max_raw_bytes:
        raise TooLarge(
            f"content is {len(raw.content)} characters; the limit is {limits.max_raw_bytes}"
        )
    if raw.content_type == "text/html":
        out = parse_html(raw.content, url=raw.url)
    else:
        out = parse_plain_text(clean_text(raw.content))
    _apply_metadata(out, raw.metadata, raw.url)

    if not out.body:
        raise NoText("no article text left after boilerplate removal")
    if len(out.body) > limits.max_paragraphs:
        raise TooLarge(f"{len(out.body)} paragraphs; the limit is {limits.max_paragraphs}")
    title = out.title or out.body[0].text
    texts = [p.text for p in out.body]
    digest = content_hash(title, out.standfirst, texts)
    language = out.language or detect_language("\n".join(texts))
    fingerprint = simhash("\n".join([title, *texts]))
    values = {
        "url": out.url, "title": title, "standfirst": out.standfirst, "authors": out.authors,
        "published_at": out.published_at, "updated_at": out.updated_at, "language": language,
    }  # fmt: skip
    provenance: dict[str, Literal["feed", "extracted"]] = {
        f: "feed" if f in out.from_feed else "extracted" for f, value in values.items() if value
    }
    return NormalizedArticle(
        article_id=article_id(url=out.url, source=raw.source, digest=digest),
        source=raw.source,
        url=out.url,
        title=title,
        standfirst=out.standfirst,
        authors=out.authors,
        published_at=out.published_at,
        updated_at=out.updated_at,
        language=language,
        body=out.body,
        captions=out.captions,
        related=out.related,
        word_count=sum(len(t.split()) for t in texts),
        content_hash=digest,
        received_at=raw.received_at,
        simhash=None if fingerprint is None else f"{fingerprint:016x}",
        provenance=provenance,
    )


def normalise_payload(
    payload: bytes, *, limits: Limits = _DEFAULT_LIMITS, source_hint: str = "unknown"
) -> NormalizedArticle:
    """Message bytes to a normalised article (envelope parsing, then ``normalise_article``)."""
    return normalise_article(
        parse_envelope(payload, limits=limits, source_hint=source_hint), limits=limits
    )
