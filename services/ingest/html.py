"""HTML pages: trafilatura finds the main text and metadata, htmldate the published and updated
times; we add what they leave out (captions with credits, sub-headings, the language the
markup declares: a hint for services/ingest/language.py)."""

from __future__ import annotations

import copy
import re
from typing import Literal

import htmldate
import lxml.html
import trafilatura
from lxml import etree
from trafilatura.metadata import extract_author, extract_title, extract_url
from trafilatura.settings import Document
from trafilatura.utils import is_dubious_html, repair_faulty_html

from newsflow.schemas import Paragraph
from newsflow.schemas.raw import valid_http_url
from newsflow.services.budget import UNLIMITED, Budget
from newsflow.services.errors import NoText, TooDeep
from newsflow.services.ingest import chrome
from newsflow.services.ingest.bounds import EARLY_FACTOR, check_early, checked
from newsflow.services.ingest.cleantext import clean_line, clean_text
from newsflow.services.ingest.dates import parse_visible_date
from newsflow.services.ingest.extracted import Extracted
from newsflow.services.ingest.metadata import (
    PageMetadata,
    comparable,
    complete,
    needs_found_date,
    page_metadata,
)
from newsflow.services.ingest.plaintext import take_furniture

_ISO = "%Y-%m-%dT%H:%M:%S%z"


def _metadata(meta: PageMetadata, tree: lxml.html.HtmlElement, out: Extracted) -> None:
    """Title, dates, authors and agencies by the page's most trusted source
    (services/ingest/metadata.py); the <title> and htmldate's search come last, htmldate only
    when no more trusted source dates the page (its extensive search is most of the cost of
    metadata that trafilatura's would have spent on every page)."""
    meta.url = out.url
    found = None
    if needs_found_date(meta):
        # the original (published) date, searched widely, on a copy (htmldate prunes its tree)
        found = htmldate.find_date(
            copy.deepcopy(tree), url=out.url, original_date=True, extensive_search=True,
            outputformat=_ISO,
        )  # fmt: skip
    # trafilatura's own title and byline readers, only for what the page's sources left empty
    title = extract_title(tree) if meta.title is None else None
    author = extract_author(tree) if meta.authors is None else None
    complete(meta, title=title, author=author, found_date=found)
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


MAX_CAPTIONS = 10_000  # caption elements read on one page
# Caption elements: <figcaption>, and the caption blocks of sites without it
_CAPTION_NODES = (
    "//figcaption | //*[not(ancestor::figcaption)][contains(@class, 'caption')"
    " and not(contains(@class, 'captions'))][not(.//figcaption)]"
)


def _captions(tree: lxml.html.HtmlElement, out: Extracted, budget: Budget) -> None:
    """Photo captions and their credits ("Image caption" labels off, credits apart)."""
    seen: set[str] = set()
    for node in checked(tree.xpath(_CAPTION_NODES)[:MAX_CAPTIONS], budget, "HTML captions"):
        text = clean_line(node.text_content())
        if not text or text in seen or chrome.word_count(text) > 120:
            continue
        seen.add(text)
        parts = chrome.caption_parts(text)
        if parts is not None and chrome.word_count(parts[0]) >= 2:
            out.add_caption(*parts)


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


_BLOCKS = frozenset({"p", "head", "list", "quote", "table"})


def _layout(table: etree._Element) -> bool:
    """Whether a table lays out the page rather than holding data: a cell of it holds
    paragraphs or headings (a story in a one-cell table, whose text joined would be one
    paragraph, its headline, date and paragraphs glued: "...in Iran unrestNovember 20")."""
    return any(child.tag in _BLOCKS for cell in table.iter("cell") for child in cell)


CARD_WORDS = 40  # a story card: its headline and a line under it, no more


class _Links:
    """The texts of the page's links, read once, on the first question (few pages ask)."""

    def __init__(self, tree: lxml.html.HtmlElement, budget: Budget) -> None:
        self.tree, self.budget = tree, budget
        self.texts: set[str] | None = None

    def __contains__(self, text: str) -> bool:
        if self.texts is None:
            links = checked(self.tree.iter("a"), self.budget, "HTML links")
            self.texts = {comparable(a.text_content()) for a in links}
        return comparable(text) in self.texts


def _card_headlines(node: etree._Element, links: _Links) -> list[str] | None:
    """The headlines of a list of story cards, or None when ``node`` is not one: two items or
    more, each a heading first, that heading a link of the page, and at most ``CARD_WORDS``
    words in all ("<a><h3>Pochettino fired by Tottenham</h3></a><h4>Pochettino took the club
    to...</h4>"). A story's own list of headed paragraphs has no links for headings."""
    items = list(node)
    if len(items) < 2:
        return None
    headlines = []
    for item in items:
        first = next(iter(item), None)
        if first is None or first.tag != "head":
            return None
        if len("".join(item.itertext()).split()) > CARD_WORDS:
            return None
        headlines.append(clean_line("".join(first.itertext())))
    return headlines if all(h in links for h in headlines) else None


def _body(
    doc_body: etree._Element,
    title: str | None,
    budget: Budget,
    links: _Links,
    cards: list[str],
) -> list[Paragraph]:
    """trafilatura's XML body: <p>, <head>, <list><item>, <table><row><cell>, <quote>..., and
    loose text in ``.text`` / ``.tail`` (text between headings that had no <p> of its own).
    The headlines of lists of story cards (``_card_headlines``) go to ``cards``, not the
    body."""
    body: list[Paragraph] = []

    def add(text: str | None, kind: Literal["paragraph", "heading"] = "paragraph") -> None:
        text = clean_line(text or "")
        if text and not (not body and title and text == title):
            body.append(Paragraph(text=text, kind=kind))

    def add_list(node: etree._Element) -> None:
        if (headlines := _card_headlines(node, links)) is not None:
            cards.extend(headlines)  # links to other stories, not this one's text
            return
        for item in node:
            if any(child.tag in _BLOCKS for child in item):
                walk(item)  # an item of blocks: each apart, not glued together
            else:
                for segment in _segments(item):
                    add(segment)

    def walk(container: etree._Element) -> None:
        add(container.text)
        for node in checked(container, budget, "HTML body"):
            if node.tag == "head":
                add("".join(node.itertext()), "heading")
            elif node.tag == "list":
                add_list(node)
            elif node.tag == "table" and _layout(node):
                for cell in node.iter("cell"):  # a page laid out in a table: its cells' blocks
                    walk(cell)
            elif node.tag == "table":
                for row in node.iter("row"):
                    add(" | ".join(clean_line("".join(cell.itertext())) for cell in row))
            else:
                for segment in _segments(node):
                    add(segment)
            add(node.tail)

    walk(doc_body)
    while body and body[-1].kind == "heading":  # a heading with nothing under it is chrome
        body.pop()
    return body


# A body split into sibling blocks of the same kind ("div.grid--item" chunks between ads, on
# Conde Nast's sites), of which trafilatura keeps only the first.
PROSE_WORDS = 15  # a paragraph of a later chunk is taken only when it is prose this long
_CHUNK_LEVELS = 4  # how far up from the body's last paragraph a chunk is looked for
_KEY_CHARS = 80


def _key(text: str) -> str:
    return comparable(text)[:_KEY_CHARS]


def _linked_share(node: etree._Element) -> float:
    text = len(node.text_content())
    return sum(len(a.text_content()) for a in node.iter("a")) / text if text else 1.0


def _later_chunks(
    tree: lxml.html.HtmlElement, body: list[Paragraph], budget: Budget
) -> list[Paragraph]:
    """The paragraphs of the chunks after the one trafilatura kept: from the body's last
    paragraph in the page, up to ``_CHUNK_LEVELS`` ancestors, the first ancestor whose later
    siblings of the same tag and class hold prose the body lacks (paragraphs of
    ``PROSE_WORDS`` words or more, not mostly links), in page order."""
    seen = {_key(p.text) for p in body if p.kind == "paragraph"}
    if len(seen) < 2:
        return []
    # the body's last paragraph in the page: read from the end, where it is found soonest
    paragraphs = list(checked(tree.iter("p"), budget, "HTML paragraphs"))
    last = next((p for p in reversed(paragraphs) if _key(p.text_content()) in seen), None)
    node = last.getparent() if last is not None else None
    for _ in range(_CHUNK_LEVELS):
        if node is None:
            break
        kind = node.get("class")
        if kind:
            found = []
            for sibling in node.itersiblings():
                if sibling.tag != node.tag or sibling.get("class") != kind:
                    continue
                for p in sibling.iter("p"):
                    text = clean_line(p.text_content())
                    if (len(text.split()) >= PROSE_WORDS and _key(text) not in seen
                            and _linked_share(p) < 0.5):  # fmt: skip
                        seen.add(_key(text))
                        found.append(Paragraph(text=text))
            if found:
                return found
        node = node.getparent()
    return []


RESCUE_WORDS = 80  # a main text shorter than this: trafilatura's backup extractors are tried


def _trafilatura(tree: lxml.html.HtmlElement, url: str | None, *, fast: bool) -> Document | None:
    """trafilatura on the tree parsed once (it works on its own copy). ``fast``: its main
    extractor only, without the backup ones (readability, jusText) it compares against: on
    the extraction dev pages the backups added more site text than story (body F1 0.967 ->
    0.976: precision 0.965 -> 0.982, recall 0.968 -> 0.970); they are kept for pages where the
    main extractor finds little (``RESCUE_WORDS``)."""
    doc = trafilatura.bare_extraction(
        tree, url=url, with_metadata=False, include_comments=False, include_tables=True,
        include_images=False, deduplicate=False, fast=fast,
    )  # fmt: skip
    return doc if isinstance(doc, Document) and doc.body is not None else None


def _words(doc: Document | None) -> int:
    return 0 if doc is None or doc.body is None else len("".join(doc.body.itertext()).split())


def _parse(html: str) -> lxml.html.HtmlElement:
    """The page's tree, parsed as trafilatura's ``load_html`` parses a string (the same
    parser settings and repairs, so its extraction on this tree is what it would be on the
    string), with a parser of our own whose error log tells a page nested too deep."""
    parser = lxml.html.HTMLParser(
        collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True,
        remove_pis=True,
    )  # fmt: skip
    beginning = html[:50].lower()
    text = repair_faulty_html(html, beginning)
    try:
        try:
            tree = lxml.html.fromstring(text, parser=parser)
        except ValueError:  # "Unicode strings with encoding declaration are not supported"
            tree = lxml.html.fromstring(text.encode("utf8", "surrogatepass"), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise NoText(f"HTML could not be parsed: {exc}") from exc
    for error in parser.error_log:
        if error.type_name == "ERR_RESOURCE_LIMIT":  # libxml2 stops at 256 nested elements
            raise TooDeep(f"HTML nesting too deep for the parser: {error.message}")
    if tree is None or (is_dubious_html(beginning) and len(tree) < 2):
        raise NoText("the content is not an HTML page")
    return tree


# Hover cards and tooltips: a name's pop-up (its full name, its latest headlines, "MORE") sits
# in the markup right after the name, and its text would be glued into the sentence ("Rep.
# Ilhan OmarIlhan OmarHillicon Valley: ... MORE (D-Minn.)"). The pop-up goes, the name stays.
_HOVER_CLASSES = ("rollover-people-block", "rollover-block", "hovercard", "hover-card", "tooltip",
                  "popover")  # fmt: skip
_HOVER_CARDS = "//*[self::p or self::li]//*[{}]".format(
    " or ".join(f"contains(@class, '{name}')" for name in _HOVER_CLASSES)
)


def _drop_hover_cards(tree: lxml.html.HtmlElement, html: str, budget: Budget) -> None:
    if not any(name in html for name in _HOVER_CLASSES):  # two pages in three: no XPath (the
        return  # classes are in the markup as written, so a page without them has no card
    for node in checked(tree.xpath(_HOVER_CARDS)[:1000], budget, "HTML hover cards"):
        if node.getparent() is not None:
            node.drop_tree()  # its tail (the sentence going on) is kept


def _same(a: str | None, b: str | None) -> bool:
    return bool(a and b) and comparable(a) == comparable(b)  # type: ignore[arg-type]


MAX_TOP_BLOCKS = 4  # blocks before the story where a page's header furniture may sit
MAX_LABEL_WORDS = 8  # a section label or kicker above a headline
MAX_DATELINE_WORDS = 14


def _tidy(out: Extracted, body: list[Paragraph], description: str | None) -> list[Paragraph]:
    """What trafilatura keeps of the page around the story: the header (section label,
    headline, standfirst, dateline, byline) repeated at the top, blocks of links to other
    stories ("You may also like...", "DON'T MISS", "READ MORE: ..."), and the site's own lines
    (newsletter, follow, share, reading time, tags). Links are kept as ``related``."""
    top = [i for i, p in enumerate(body[:MAX_TOP_BLOCKS]) if _same(p.text, out.title)]
    if top and all(chrome.word_count(p.text) <= MAX_LABEL_WORDS for p in body[: top[0]]):
        body = body[top[0] + 1 :]  # the headline repeated, and the page's labels above it
    while body and (
        _same(body[0].text, out.title)
        or (body[0].kind == "heading" and _same(body[0].text, description))
        or (chrome.word_count(body[0].text) <= MAX_DATELINE_WORDS
            and parse_visible_date(body[0].text))
    ):  # fmt: skip
        if _same(body[0].text, description) and not out.standfirst:
            out.standfirst = body[0].text  # the standfirst set as a heading above the story
        _dateline_byline(out, body[0].text)
        body = body[1:]
    if body and out.title and comparable(body[0].text).startswith(comparable(out.title) + " "):
        rest = body[0].text[len(out.title) :].strip()  # the headline glued before the story
        body = [Paragraph(text=rest, kind=body[0].kind), *body[1:]] if rest else body[1:]
    kept: list[Paragraph] = []
    in_promo = False
    for p in body:
        text = p.text
        if in_promo:
            if chrome.word_count(text) <= 25 and not text.endswith((".", "!", "?", "”", '"')):
                _relate(out, text)
                continue
            in_promo = False
        if chrome.promo_head(text):
            in_promo = True
            continue
        if (headline := chrome.promo_inline(text)) is not None:
            _relate(out, headline)
            continue
        if chrome.site_line(text):
            continue
        kept.append(p)
    while kept and kept[-1].kind == "heading":  # a heading with nothing under it is chrome
        kept.pop()
    return kept


def _dateline_byline(out: Extracted, line: str) -> None:
    """The people of a dateline that names them ("5:45 AM PST 11/19/2019 by Jane Doe"), as
    authors when the page named none."""
    match = re.search(r"\bby\s+(\S.*)$", line, re.I)
    if match and not out.authors:
        for person in chrome.byline_people(match.group(1))[0]:
            out.add_author(person)


def _relate(out: Extracted, headline: str) -> None:
    headline = re.sub(r"\s*\[[A-Za-z]{3,12}\]$", "", headline).strip()
    fits = 3 <= chrome.word_count(headline) <= 25 and len(out.related) < MAX_RELATED
    if fits and headline not in out.related:
        out.related.append(headline)


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
    tree = _parse(html)
    budget.check("HTML parsing")
    # The page's text is never longer than the page: most pages need no count at all.
    if max_article_chars is not None and len(html) > EARLY_FACTOR * max_article_chars:
        check_early(_page_text_chars(tree, budget), "the page's text", max_article_chars)
    out = Extracted()
    out.language = _declared_language(tree)
    _captions(tree, out, budget)
    _related(tree, out, budget)
    meta = page_metadata(tree, url)
    budget.check("HTML metadata")
    _drop_hover_cards(tree, html, budget)

    doc = _trafilatura(tree, url, fast=True)
    if _words(doc) < RESCUE_WORDS:  # little found: trafilatura's backup extractors too
        budget.check("trafilatura")
        doc = _trafilatura(tree, url, fast=False) or doc
    budget.check("trafilatura")
    if doc is None:
        raise NoText("no main text found in the HTML page")
    # the page's own link (canonical, og:url; relative ones made whole), which may be malformed
    out.url = valid_http_url(extract_url(tree)) or url
    _metadata(meta, tree, out)
    # What trafilatura keeps but a newsroom would not: share lines, "Read more: ...", bylines
    # and captions inside <p>. The same line rules as for plain-text scrapes.
    cards: list[str] = []
    kept = _body(doc.body, out.title, budget, _Links(tree, budget), cards)
    for headline in cards:
        _relate(out, headline)
    body = checked(kept + _later_chunks(tree, kept, budget), budget, "HTML furniture")
    out.body = _tidy(out, [p for p in body if not take_furniture(out, p.text)], meta.description)
    description = clean_text(meta.description) if meta.description else None
    if description and not (out.body and out.body[0].text.startswith(description[:60])):
        out.standfirst = description
    return out
