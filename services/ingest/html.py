"""HTML pages: trafilatura finds the main text and metadata, htmldate the published and updated
times; we add what they leave out (captions with credits, sub-headings, the markup's language)."""

from __future__ import annotations

import lxml.html
import trafilatura
from htmldate import find_date
from lxml import etree
from trafilatura.settings import Document

from schemas import Paragraph
from services.errors import NoText
from services.ingest import chrome
from services.ingest.cleantext import clean_line, clean_text
from services.ingest.dates import parse_date
from services.ingest.extracted import Extracted

_ISO = "%Y-%m-%dT%H:%M:%S%z"


def _authors(raw: str | None) -> list[str]:
    if not raw:
        return []
    names = []
    for part in raw.replace(" and ", ";").split(";"):
        name = clean_line(part)
        if name and name.casefold() not in {"published", "updated", "staff"}:
            names.append(name)
    return names


def _captions(tree: lxml.html.HtmlElement, out: Extracted) -> None:
    for node in tree.iter("figcaption"):
        text = clean_line(node.text_content())
        if not text:
            continue
        split = chrome.split_caption(text)
        if split:
            out.add_caption(*split)
        else:
            out.add_caption(text, None)


def _body(doc_body: etree._Element, title: str | None) -> list[Paragraph]:
    body: list[Paragraph] = []
    for node in doc_body:
        text = clean_line("".join(node.itertext()))
        if not text or (not body and title and text == title):
            continue
        if node.tag == "head":
            body.append(Paragraph(text=text, kind="heading"))
        elif node.tag == "list":
            body.extend(
                Paragraph(text=t) for item in node if (t := clean_line("".join(item.itertext())))
            )
        else:
            body.append(Paragraph(text=text))
    while body and body[-1].kind == "heading":  # a heading with nothing under it is chrome
        body.pop()
    return body


def parse_html(html: str, *, url: str | None = None) -> Extracted:
    """Extract an article from an HTML page. Raises ``NoText`` when there is no main text."""
    try:
        tree = lxml.html.fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise NoText(f"HTML could not be parsed: {exc}") from exc
    out = Extracted()
    lang = (tree.get("lang") or "").split("-")[0].lower()
    out.language = lang if len(lang) == 2 and lang.isalpha() else None
    _captions(tree, out)
    out.published_at = parse_date(find_date(html, original_date=True, outputformat=_ISO))
    updated = parse_date(find_date(html, original_date=False, outputformat=_ISO))
    if updated and updated != out.published_at:
        out.updated_at = updated

    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False,
        include_images=False, deduplicate=False,
    )  # fmt: skip
    if not isinstance(doc, Document) or doc.body is None:
        raise NoText("no main text found in the HTML page")
    out.title = clean_line(doc.title) if doc.title else None
    out.url = doc.url or url
    out.authors = _authors(doc.author)
    if out.published_at is None:
        out.published_at = parse_date(doc.date)
    out.body = _body(doc.body, out.title)
    description = clean_text(doc.description) if doc.description else None
    if description and not (out.body and out.body[0].text.startswith(description[:60])):
        out.standfirst = description
    return out
