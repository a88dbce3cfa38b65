"""HTML pages: trafilatura finds the main text and metadata, htmldate the published and updated
times; we add what they leave out (captions with credits, sub-headings, the language the
markup declares: a hint for services/ingest/language.py)."""

from __future__ import annotations

import re
from typing import Literal

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.settings import Document

from newsflow.schemas import Paragraph
from newsflow.schemas.raw import valid_http_url
from newsflow.services.budget import UNLIMITED, Budget
from newsflow.services.errors import NoText, TooDeep
from newsflow.services.ingest import chrome
from newsflow.services.ingest.bounds import EARLY_FACTOR, check_early, checked
from newsflow.services.ingest.cleantext import clean_line, clean_text
from newsflow.services.ingest.extracted import Extracted
from newsflow.services.ingest.metadata import page_metadata
from newsflow.services.ingest.plaintext import take_furniture

_ISO = "%Y-%m-%dT%H:%M:%S%z"
# htmldate's settings for trafilatura's date: the original (published) date, searched widely
_DATE_PARAMS = {"original_date": True, "extensive_search": True, "outputformat": _ISO}


def _metadata(tree: lxml.html.HtmlElement, doc: Document, out: Extracted) -> None:
    """Title, dates, authors and agencies by the page's most trusted source
    (services/ingest/metadata.py); trafilatura's and htmldate's findings come last."""
    meta = page_metadata(
        tree, out.url, fallback_title=doc.title, fallback_author=doc.author,
        fallback_date=doc.date,  # htmldate's original date, run by trafilatura
    )  # fmt: skip
    for name in ("title", "published_at", "updated_at"):
        chosen = getattr(meta, name)
        if chosen is not None:
            setattr(out, name, chosen.value)
            out.sources[name] = chosen.source
    if meta.authors is not None:
        for person in meta.authors.value:
            out.add_author(person)
        out.sources["authors"] = meta.authors.source
    out.agencies = meta.agencies
    out.sources.update(meta.dropped)


def _captions(tree: lxml.html.HtmlElement, out: Extracted, budget: Budget) -> None:
    for node in checked(tree.iter("figcaption"), budget, "HTML captions"):
        text = clean_line(node.text_content())
        if not text:
            continue
        split = chrome.split_caption(text)
        if split:
            out.add_caption(*split)
        else:
            out.add_caption(text, None)


_BREAK = "\u2029"  # stands for <lb/> while text is joined, then splits it


def _segments(node: etree._Element) -> list[str]:
    """The text of ``node``, split where trafilatura marked a line break (<lb/>)."""
    for lb in node.iter("lb"):
        lb.tail = _BREAK + (lb.tail or "")
    return "".join(node.itertext()).split(_BREAK)


_RELATED = (
    "//*[self::aside or self::section or self::div or self::ul or self::nav]"
    "[contains(translate(@class, 'RELATED', 'related'), 'related')"
    " or contains(translate(@id, 'RELATED', 'related'), 'related')"
    " or contains(translate(@class, 'READMORE', 'readmore'), 'read-more')]//a"
)
MAX_RELATED = 20


def _related(tree: lxml.html.HtmlElement, out: Extracted, budget: Budget) -> None:
    """Headlines of linked stories from the page's "related" blocks (class or id says so)."""
    for link in checked(tree.xpath(_RELATED), budget, "HTML related links"):
        headline = clean_line(link.text_content())
        if 4 <= chrome.word_count(headline) <= 25 and headline not in out.related:
            out.related.append(headline)
            if len(out.related) >= MAX_RELATED:
                return


def _body(doc_body: etree._Element, title: str | None, budget: Budget) -> list[Paragraph]:
    """trafilatura's XML body: <p>, <head>, <list><item>, <table><row><cell>, <quote>..., and
    loose text in ``.text`` / ``.tail`` (text between headings that had no <p> of its own)."""
    body: list[Paragraph] = []

    def add(text: str | None, kind: Literal["paragraph", "heading"] = "paragraph") -> None:
        text = clean_line(text or "")
        if text and not (not body and title and text == title):
            body.append(Paragraph(text=text, kind=kind))

    add(doc_body.text)
    for node in checked(doc_body, budget, "HTML body"):
        if node.tag == "head":
            add("".join(node.itertext()), "heading")
        elif node.tag == "list":
            for item in node:
                for segment in _segments(item):
                    add(segment)
        elif node.tag == "table":
            for row in node.iter("row"):
                add(" | ".join(clean_line("".join(cell.itertext())) for cell in row))
        else:
            for segment in _segments(node):
                add(segment)
        add(node.tail)
    while body and body[-1].kind == "heading":  # a heading with nothing under it is chrome
        body.pop()
    return body


_NOT_TEXT = frozenset({"script", "style", "noscript", "template"})


def _page_text_chars(tree: lxml.html.HtmlElement, budget: Budget) -> int:
    """Characters of text a reader could see on the page (not scripts, styles or comments):
    an upper bound of sorts on the article, known before the costly extraction."""
    chars = 0
    for node in checked(tree.iter(), budget, "HTML page text"):
        if node.text and isinstance(node.tag, str) and node.tag not in _NOT_TEXT:
            chars += len(node.text.strip())
        if node.tail:
            chars += len(node.tail.strip())
    return chars


def _declared_language(tree: lxml.html.HtmlElement) -> str | None:
    """The ISO 639-1 code the page declares: ``<html lang>`` (or ``xml:lang``), else a
    ``<meta http-equiv="content-language">`` or ``og:locale`` in the head. Only a hint: the
    text overrules it when it can tell (services/ingest/language.py)."""
    head = tree.find("head")
    metas = [] if head is None else list(head.iterfind("meta"))
    declared = [
        tree.get("lang"),
        tree.get("xml:lang"),
        *(m.get("content") for m in metas
          if (m.get("http-equiv") or "").lower() == "content-language"),
        *(m.get("content") for m in metas if m.get("property") == "og:locale"),
    ]  # fmt: skip
    for value in declared:
        code = re.split(r"[-_,;\s]", (value or "").strip(), maxsplit=1)[0].lower()
        if len(code) == 2 and code.isalpha():
            return code
    return None


def parse_html(
    html: str,
    *,
    url: str | None = None,
    budget: Budget = UNLIMITED,
    max_article_chars: int | None = None,
) -> Extracted:
    """Extract an article from an HTML page. Raises ``NoText`` when there is no main text;
    ``TooLarge`` early when the page's text could not fit in ``max_article_chars``; and
    ``TimedOut`` between steps (and inside our loops) once ``budget`` is spent."""
    parser = lxml.html.HTMLParser()
    try:
        tree = lxml.html.fromstring(html, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise NoText(f"HTML could not be parsed: {exc}") from exc
    for error in parser.error_log:
        if error.type_name == "ERR_RESOURCE_LIMIT":  # libxml2 stops at 256 nested elements
            raise TooDeep(f"HTML nesting too deep for the parser: {error.message}")
    budget.check("HTML parsing")
    # The page's text is never longer than the page: most pages need no count at all.
    if max_article_chars is not None and len(html) > EARLY_FACTOR * max_article_chars:
        check_early(_page_text_chars(tree, budget), "the page's text", max_article_chars)
    out = Extracted()
    out.language = _declared_language(tree)
    _captions(tree, out, budget)
    _related(tree, out, budget)

    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True,
        include_images=False, deduplicate=False,
        date_extraction_params=_DATE_PARAMS,
    )  # fmt: skip
    budget.check("trafilatura")
    if not isinstance(doc, Document) or doc.body is None:
        raise NoText("no main text found in the HTML page")
    out.url = valid_http_url(doc.url) or url  # the page's own link may be malformed
    _metadata(tree, doc, out)
    budget.check("HTML metadata")
    # What trafilatura keeps but a newsroom would not: share lines, "Read more: ...", bylines
    # and captions inside <p>. The same line rules as for plain-text scrapes.
    body = checked(_body(doc.body, out.title, budget), budget, "HTML furniture")
    out.body = [p for p in body if not take_furniture(out, p.text)]
    description = clean_text(doc.description) if doc.description else None
    if description and not (out.body and out.body[0].text.startswith(description[:60])):
        out.standfirst = description
    return out
