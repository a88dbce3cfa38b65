"""The ingest stage's pure core: ``normalise_article(raw) -> NormalizedArticle``."""

from __future__ import annotations

from typing import Any, Literal

from newsflow.schemas import NormalizedArticle, RawArticle
from newsflow.schemas.raw import valid_http_url
from newsflow.services.budget import UNLIMITED, Budget
from newsflow.services.errors import NoText, TooLarge
from newsflow.services.ingest.bounds import (
    check_article_chars,
    check_early,
    checked,
    split_long_paragraphs,
)
from newsflow.services.ingest.cleantext import clean_line, clean_text
from newsflow.services.ingest.dates import parse_date
from newsflow.services.ingest.dedupe import simhash
from newsflow.services.ingest.envelope import parse_envelope
from newsflow.services.ingest.extracted import Extracted
from newsflow.services.ingest.html import parse_html
from newsflow.services.ingest.identity import article_id, content_hash
from newsflow.services.ingest.language import identify
from newsflow.services.ingest.metadata import not_before
from newsflow.services.ingest.plaintext import parse_plain_text
from newsflow.services.limits import Limits

_DEFAULT_LIMITS = Limits()


def _apply_metadata(
    out: Extracted, meta: dict[str, Any], url: str | None, budget: Budget = UNLIMITED
) -> None:
    """Fields the feed already knows win over what extraction found (and are recorded)."""

    def feed(name: str, value: object) -> None:
        if value not in (None, "", []):
            setattr(out, name, value)
            out.from_feed.add(name)
            out.sources[name] = "feed"

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
        names = [clean_line(a) for a in checked(authors, budget, "feed authors")]
        feed("authors", [name for name in names if name])
    lang = meta.get("language")
    feed(
        "language",
        lang.lower() if isinstance(lang, str) and len(lang) == 2 and lang.isalpha() else None,
    )
    # Only a well-formed http(s) URL: a malformed one would fail later, in canonical_url.
    feed("url", url or valid_http_url(meta.get("url")))


def _extract(raw: RawArticle, limits: Limits, budget: Budget) -> Extracted:
    """The extractor for the content type. Input too big to hold an article under the limit
    is refused before the costly part (HTML: once parsed, by its visible text)."""
    if len(raw.content) > limits.max_raw_bytes:
        raise TooLarge(
            f"content is {len(raw.content)} characters; the limit is {limits.max_raw_bytes}"
        )
    if raw.content_type == "text/html":
        return parse_html(
            raw.content, url=raw.url, budget=budget, max_article_chars=limits.max_article_chars
        )
    check_early(len(raw.content), "the text", limits.max_article_chars)
    text = clean_text(raw.content)
    budget.check("text clean-up")
    title = raw.metadata.get("title")
    feed_title = clean_line(title) if isinstance(title, str) and title.strip() else None
    return parse_plain_text(text, budget=budget, feed_title=feed_title)


def _check_size(out: Extracted, limits: Limits, budget: Budget) -> str:
    """Split over-long paragraphs, then hold the result to the limits. Returns the title."""
    out.body = split_long_paragraphs(out.body, limits.max_paragraph_chars, budget)
    if not out.body:
        raise NoText("no article text left after boilerplate removal")
    if len(out.body) > limits.max_paragraphs:
        raise TooLarge(f"{len(out.body)} paragraphs; the limit is {limits.max_paragraphs}")
    title = out.title or out.body[0].text
    check_article_chars(out, title, limits.max_article_chars)
    return title


def normalise_article(
    raw: RawArticle, *, limits: Limits = _DEFAULT_LIMITS, budget: Budget = UNLIMITED
) -> NormalizedArticle:
    """Normalise one raw article. Raises only ``PoisonError`` subclasses: ``TooLarge`` over a
    size limit, ``TimedOut`` once ``budget`` is spent (checked between the steps and inside
    the extractors' loops)."""
    out = _extract(raw, limits, budget)
    budget.check("extraction")
    _apply_metadata(out, raw.metadata, raw.url, budget)
    if out.updated_at and out.published_at and not not_before(out.updated_at, out.published_at):
        out.sources["updated_at"] = (
            f"dropped: {out.sources.get('updated_at', 'updated time')} "
            f"({out.updated_at.isoformat()}) is before published_at"
        )
        out.updated_at = None
    title = _check_size(out, limits, budget)
    budget.check("metadata")
    texts = [p.text for p in out.body]
    # The text decides; the feed's language (else the markup's) is only a hint, for a text too
    # short or too mixed to tell. A feed's language the text overrules is no longer the feed's.
    hint = out.language
    language = identify([out.title or "", out.standfirst or "", *texts], hint)
    if language != hint:
        out.from_feed.discard("language")
    budget.check("language")
    digest = content_hash(title, out.standfirst, texts)
    fingerprint = simhash("\n".join([title, *texts]))
    budget.check("hashes")
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
        agencies=out.agencies,
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
        metadata_sources={f: out.sources[f] for f in sorted(out.sources)},
    )


def normalise_payload(
    payload: bytes,
    *,
    limits: Limits = _DEFAULT_LIMITS,
    source_hint: str = "unknown",
    budget: Budget = UNLIMITED,
) -> NormalizedArticle:
    """Message bytes to a normalised article (envelope parsing, then ``normalise_article``)."""
    raw = parse_envelope(payload, limits=limits, source_hint=source_hint)
    budget.check("envelope")
    return normalise_article(raw, limits=limits, budget=budget)
