"""An HTML page's metadata, each field chosen from every candidate the page offers by a
documented order of trust, with the source that won (decision 0015).

Candidates come from the page's JSON-LD (``NewsArticle`` and kin: ``headline``,
``datePublished``, ``dateModified``, ``author``), its meta tags (Open Graph, ``article:*``,
Dublin Core, Parse.ly, Sailthru, ``author``), ``itemprop`` microdata, ``<time datetime>``, the
``<h1>`` and ``<title>``, bylines in the page and the URL path. Every step is bounded: JSON-LD
blocks over ``MAX_JSON_LD_CHARS`` are skipped, nesting is walked to ``MAX_JSON_DEPTH``, and no
list is read past ``MAX_CANDIDATES``."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from newsflow.services.ingest import chrome
from newsflow.services.ingest.cleantext import clean_line
from newsflow.services.ingest.dates import parse_date, parse_visible_date

MAX_JSON_LD_CHARS = 200_000
MAX_JSON_DEPTH = 8
MAX_CANDIDATES = 50
MAX_ASSET_URLS = 2_000

_ARTICLE_TYPES = re.compile(r"Article|BlogPosting|Report|NewsArticle|Posting", re.I)

# meta tags by trust, (attribute value, source name): published, modified, authors, titles
_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "article:published", "datepublished",
    "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date",
    "dcterms.created", "dc.date.created", "publishdate", "publish-date", "pubdate",
    "publication_date", "date", "cxenseparse:recs:publishtime", "article.published",
    "og:published_time", "published_time", "release_date",
)  # fmt: skip
_MODIFIED_META = (
    "article:modified_time", "og:article:modified_time", "article:modified", "datemodified",
    "og:updated_time",
    "dcterms.modified", "dc.date.modified", "last-modified", "lastmod", "article.updated",
    "modified_time",
)  # fmt: skip
_AUTHOR_META = (
    "author", "article:author", "parsely-author", "sailthru.author", "dc.creator",
    "dcterms.creator", "byl", "cxenseparse:author", "twitter:creator:name",
)  # fmt: skip

# a date in a URL path: /2019/11/18/ or /2019-11-18/ or /20191118/
_URL_DATE = re.compile(
    r"/(?P<y>20\d\d|19\d\d)[/-](?P<m>0?[1-9]|1[0-2])[/-](?P<d>0?[1-9]|[12]\d|3[01])(?:/|[-_]|$)"
)
_ASSET_PATH = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|mp4|mp3|pdf|js|css)(?:$|\?)", re.I)

# Title affixes: " | Site", "Site - ", "Opinion | ", ": NPR"
_TITLE_SEPARATORS = re.compile(r"\s+[|\u2013\u2014\u00b7\u2022/:-]{1,2}\s+|\s*\|\s*")
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "ac", "edu", "or", "ne", "go"})
_SECTION_WORDS = frozenset(
    {"opinion", "opinions", "editorial", "editorials", "analysis", "commentary", "comment",
     "review", "reviews", "news", "politics", "business", "sport", "sports", "tech",
     "technology", "world", "world news", "live", "video", "blog", "blogs", "op-ed", "column",
     "columns", "letters", "obituary", "obituaries", "breaking news", "latest news", "us news",
     "uk news", "health", "science", "entertainment", "culture", "markets", "economy",
     "features", "feature", "interview", "local", "national", "international", "lifestyle",
     "travel", "money", "finance", "education", "environment", "media", "investigations",
     "fact check", "the big story", "exclusive", "breaking", "home"}
)  # fmt: skip


@dataclass(slots=True)
class Chosen:
    """A field's value and the source it came from ("json-ld", "meta article:published_time",
    "h1", "url path"...)."""

    value: Any
    source: str


@dataclass(slots=True)
class PageMetadata:
    title: Chosen | None = None
    published_at: Chosen | None = None
    updated_at: Chosen | None = None
    authors: Chosen | None = None  # value: list[str]
    agencies: list[str] = field(default_factory=list)
    site_names: list[str] = field(default_factory=list)
    dropped: dict[str, str] = field(default_factory=dict)  # field -> why its value was not used
    url: str | None = None
    description: str | None = None  # the page's own summary (og:description, description...)
    asset_dates: set[date] = field(default_factory=set)  # days in image/script URL paths
    published_candidates: list[tuple[str, str]] = field(default_factory=list)  # (text, source)


# -- gathering -------------------------------------------------------------------------------
def _json_ld(tree: lxml.html.HtmlElement) -> list[dict[str, Any]]:
    """The page's JSON-LD objects (``@graph`` flattened), article types first."""
    found: list[dict[str, Any]] = []

    def walk(node: Any, depth: int) -> None:
        if depth > MAX_JSON_DEPTH or len(found) >= MAX_CANDIDATES:
            return
        if isinstance(node, list):
            for item in node[:MAX_CANDIDATES]:
                walk(item, depth + 1)
        elif isinstance(node, dict):
            found.append(node)
            if "@graph" in node:
                walk(node["@graph"], depth + 1)
            main = node.get("mainEntity") or node.get("mainEntityOfPage")
            if isinstance(main, dict) and "@type" in main:
                walk(main, depth + 1)

    for script in tree.xpath('//script[contains(@type, "ld+json")]')[:MAX_CANDIDATES]:
        text = (script.text or "").strip()
        if not text or len(text) > MAX_JSON_LD_CHARS:
            continue
        text = re.sub(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$", "", text)
        try:
            walk(json.loads(text, strict=False), 0)
        except (ValueError, RecursionError):
            continue
    return sorted(found, key=lambda o: not _is_article(o))


def _types(obj: dict[str, Any]) -> list[str]:
    kind = obj.get("@type")
    return [str(k) for k in (kind if isinstance(kind, list) else [kind]) if k]


def _is_article(obj: dict[str, Any]) -> bool:
    return any(_ARTICLE_TYPES.search(k) for k in _types(obj))


def _metas(tree: lxml.html.HtmlElement) -> dict[str, list[str]]:
    """Meta tags' content by lower-cased name/property/itemprop (first values first)."""
    out: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = meta.get("content")
        if key and content and content.strip():
            values = out.setdefault(key.strip().lower(), [])
            if len(values) < MAX_CANDIDATES:
                values.append(content.strip())
    return out


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("@value"))
    if isinstance(value, list) and value:
        return _text(value[0])
    return None


# -- dates -----------------------------------------------------------------------------------
def _has_time(text: str) -> bool:
    return bool(re.search(r"\d{1,2}:\d\d", text))


def _date_candidates(
    tree: lxml.html.HtmlElement, ld: list[dict[str, Any]], metas: dict[str, list[str]],
    ld_key: str, meta_keys: tuple[str, ...],
) -> Iterator[tuple[str, str]]:  # fmt: skip
    """(text, source) in order of trust: the article's JSON-LD ``ld_key``, the meta tags,
    microdata with that ``itemprop``, a WebPage's JSON-LD ``ld_key``."""
    itemprop = ld_key
    for obj in ld:
        if _is_article(obj) and isinstance(obj.get(ld_key), str):
            yield obj[ld_key], f"json-ld {ld_key}"
    for key in meta_keys:
        for value in metas.get(key, [])[:1]:
            yield value, f"meta {key}"
    for node in tree.xpath(f'//*[@itemprop="{itemprop}"]')[:MAX_CANDIDATES]:
        value = node.get("datetime") or node.get("content") or node.text_content()[:80]
        if value and value.strip():
            yield value.strip(), f"itemprop {itemprop}"
    for obj in ld:  # a WebPage's dates: below the article's own
        if not _is_article(obj) and isinstance(obj.get(ld_key), str):
            yield obj[ld_key], f"json-ld {'/'.join(_types(obj)) or 'object'} {ld_key}"


def _time_elements(tree: lxml.html.HtmlElement) -> Iterator[tuple[str, str]]:
    """``<time datetime>``: the article's or its header's first, then the page's first."""
    inside = tree.xpath("//article//time[@datetime] | //header//time[@datetime]")[:3]
    for node in [*inside, *tree.xpath("//time[@datetime]")[:3]]:
        yield node.get("datetime") or "", "time element"


_DATELINE_NODES = (
    "//*[contains(@class, 'date') or contains(@class, 'time') or contains(@class, 'publish')"
    " or contains(@class, 'posted') or contains(@class, 'byline') or contains(@class, 'meta')"
    " or contains(@id, 'date') or contains(@id, 'time')]"
)
_DATE_LABEL = re.compile(
    r"^\W*(?:(?:originally\s+)?(?:published|posted|created|first published|date|"
    r"publicado|publié|veröffentlicht|pubblicato)(?:\s+(?:on|at|el|le|am|il))?\s*:?\s*)",
    re.I,
)
_UPDATED_LABEL = re.compile(r"^\W*(?:last\s+)?(?:updated|modified|actualizado|mis à jour)\b", re.I)


def _visible_dates(
    tree: lxml.html.HtmlElement, *, updated: bool = False
) -> Iterator[tuple[str, str]]:
    """Datelines a reader sees ("Published 7:07 PM EST Nov 19, 2019", "on Monday, November
    18th, 2019 at 11:08 a.m.", "2018-08-25 15:24"): short texts of dateline-like elements, the
    first ones on the page; an "Updated ..." line only when ``updated`` is asked for (and
    then only those)."""
    seen = 0
    for node in tree.xpath(_DATELINE_NODES)[:MAX_CANDIDATES]:
        if node.tag in ("script", "style", "meta", "time") or len(node) > 8:
            continue
        text = clean_line(node.text_content())
        if not 6 <= len(text) <= 120 or not re.search(r"\d", text):
            continue
        for part in re.split(r"\s*(?:\||\u2022|\u00b7|\n)\s*", text)[:4]:
            is_update = bool(_UPDATED_LABEL.match(part))
            if is_update != updated:
                continue
            label = _UPDATED_LABEL if updated else _DATE_LABEL
            when = parse_visible_date(label.sub("", part))
            if when is not None:
                yield when, "visible updated line" if updated else "visible dateline"
                seen += 1
                break
        if seen >= 3:
            return


_ASSET_URLS = (
    "//img/@src | //img/@data-src | //source/@srcset | //script/@src | //link/@href"
    " | //meta[contains(@property, 'image') or contains(@name, 'image')]/@content"
)


def _asset_dates(tree: lxml.html.HtmlElement) -> set[date]:
    """The days in the paths of the page's images, scripts and styles (upload dates)."""
    days: set[date] = set()
    for link in tree.xpath(_ASSET_URLS)[:MAX_ASSET_URLS]:
        match = _URL_DATE.search(str(link))
        if match:
            try:
                days.add(date(int(match["y"]), int(match["m"]), int(match["d"])))
            except ValueError:
                continue
    return days


def url_date(url: str | None) -> datetime | None:
    """The date in an article URL's path (never an asset's: image and script URLs carry
    their upload date)."""
    if not url or _ASSET_PATH.search(urlsplit(url).path):
        return None
    match = _URL_DATE.search(urlsplit(url).path)
    if not match:
        return None
    try:
        return datetime(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None


def _choose_date(candidates: Iterator[tuple[str, str]]) -> Chosen | None:
    """The most trusted candidate that parses. When it has no time of day (or no offset), a
    less trusted candidate for the same day that has one lends it: a date is kept with its
    time and offset whenever any source gives them."""
    parsed = []
    for text, source in candidates:
        when = parse_date(text)
        if when is not None and 1990 <= when.year <= 2100:
            parsed.append((when, _has_time(text), source))
        if len(parsed) >= MAX_CANDIDATES:
            break
    parsed = _without_mislabelled(parsed)
    if not parsed:
        return None
    best, timed, source = parsed[0]
    for when, has_time, other in parsed[1:]:
        if not timed and has_time and when.date() == best.date():
            return Chosen(when, f"{source}, time from {other}")
        if timed and best.tzinfo is None and when.tzinfo is not None and _same_clock(best, when):
            return Chosen(best.replace(tzinfo=when.tzinfo), f"{source}, offset from {other}")
    if not timed:  # a date alone: midnight, naive (no offset was given)
        best = best.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    return Chosen(best, source)


def _settled(candidates: list[tuple[str, str]]) -> bool:
    """Whether the most trusted candidate that parses has a time and an offset (then a less
    trusted one cannot change the choice: it lends only a missing time or offset)."""
    for text, _ in candidates:
        when = parse_date(text)
        if when is not None and 1990 <= when.year <= 2100:
            return _has_time(text) and when.tzinfo is not None
    return False


def _without_mislabelled(
    parsed: list[tuple[datetime, bool, str]],
) -> list[tuple[datetime, bool, str]]:
    """Without the times that are UTC clock readings stamped with a local offset (a common
    CMS and SEO-plugin bug): a time with a non-zero offset whose clock reading is another
    candidate's time in UTC ("04:31-06:00" where the page also says "04:31+00:00" and shows
    "10:31 pm CST")."""
    utc_clocks = {
        w.astimezone(UTC).replace(tzinfo=None, second=0, microsecond=0)
        for w, timed, _ in parsed
        if timed and w.tzinfo is not None
    }
    kept = [
        (w, timed, s)
        for w, timed, s in parsed
        if not (
            timed
            and w.tzinfo is not None
            and w.utcoffset() != timedelta(0)
            and w.replace(tzinfo=None, second=0, microsecond=0) in utc_clocks
        )
    ]
    return kept or parsed


def _same_clock(naive: datetime, aware: datetime) -> bool:
    return abs(naive - aware.replace(tzinfo=None)) < timedelta(minutes=1)


# -- titles ----------------------------------------------------------------------------------
def comparable(text: str) -> str:
    """``text`` as two renderings of the same words compare: quotes, dashes and ellipses
    unified, whitespace collapsed, case folded (a headline in <title> against its h1, or
    against the body's first block)."""
    text = (
        text.replace("\u2026", "...")
        .replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u201c", '"')
    )
    text = text.replace("\u201d", '"').replace("\u2013", "-").replace("\u2014", "-")
    return re.sub(r"\s+", " ", text).strip().casefold()


def _site_names(
    tree: lxml.html.HtmlElement, ld: list[dict[str, Any]], metas: dict[str, list[str]],
    url: str | None,
) -> list[str]:  # fmt: skip
    names = [*metas.get("og:site_name", []), *metas.get("application-name", []),
             *metas.get("twitter:site", [])]  # fmt: skip
    for obj in ld:
        publisher = obj.get("publisher")
        name = _text(publisher) if publisher else None
        if name:
            names.append(name)
        if any(k in ("Organization", "NewsMediaOrganization", "WebSite") for k in _types(obj)):
            name = _text(obj.get("name"))
            if name:
                names.append(name)
    host = urlsplit(url).hostname if url else None
    if host:
        labels = host.split(".")
        if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
            labels = labels[:-1]  # entermedia.co.kr
        names.append(labels[-2] if len(labels) >= 2 else labels[0])
    # "<headline> - Site Name": the <title>'s last part, when the rest is the page's headline
    title = tree.find(".//title")
    parts = _TITLE_SEPARATORS.split(title.text_content().strip()) if title is not None else []
    heads = {comparable(t) for k in ("og:title", "twitter:title") for t in metas.get(k, [])[:1]}
    heads |= {comparable(h.text_content()) for h in tree.xpath("//h1")[:3]}
    if len(parts) >= 2 and comparable(parts[0]) in heads and chrome.word_count(parts[-1]) <= 5:
        names.append(parts[-1])
    # a site's name is short: a long "name" is some object's title, not the site's
    return [n.lstrip("@").strip() for n in names if n and n.strip() and len(n.split()) <= 6]


def _is_site(segment: str, sites: list[str]) -> bool:
    seg = comparable(segment)
    squashed = re.sub(r"[^a-z0-9]", "", seg)
    for site in sites:
        name = comparable(site)
        bare = re.sub(r"[^a-z0-9]", "", name)
        if seg == name or (
            bare
            and (
                squashed == bare
                or squashed.startswith(bare)
                or (bare.startswith(squashed) and len(squashed) >= 3)
            )
        ):
            return True  # fmt: skip
    return seg in _SECTION_WORDS


def strip_affixes(title: str, sites: list[str]) -> str:
    """``title`` without leading or trailing site and section parts ("Opinion | X | Site")."""
    parts = _TITLE_SEPARATORS.split(title)
    seps = _TITLE_SEPARATORS.findall(title)
    if len(parts) == 1:
        return title.strip()
    start, end = 0, len(parts)
    while end - start > 1 and _is_site(parts[end - 1], sites):
        end -= 1
    while end - start > 1 and _is_site(parts[start], sites):
        start += 1
    out = parts[start]
    for i in range(start + 1, end):
        out += seps[i - 1] + parts[i]
    return out.strip()


# The heading marked as the article's headline: microdata, or a class that says so
_HEADLINE_NODES = (
    "//*[self::h1 or self::h2][@itemprop='headline' or contains(@class, 'headline')"
    " or contains(@class, 'entry-title') or contains(@class, 'article-title')"
    " or contains(@class, 'article__title') or contains(@class, 'post-title')"
    " or contains(@class, '__hed') or contains(@class, 'story-title')]"
)
# An opinion or column label before a headline ("Column: ...", "Opinion: ...")
_LABEL = re.compile(
    r"^(?:column|opinion|editorial|analysis|commentary|op-ed|letters?|obituary|perspective)"
    r"\s*[:|]\s+(?=\S)",
    re.I,
)


def _label_off(title: str) -> str:
    return _LABEL.sub("", title)


def _choose_title(
    tree: lxml.html.HtmlElement, ld: list[dict[str, Any]], metas: dict[str, list[str]],
    sites: list[str],
) -> Chosen | None:  # fmt: skip
    """The headline the page shows (its h1) when another source confirms it is the article's,
    else the page's own title for sharing (og:title, JSON-LD headline), else <title>, each
    without site and section affixes."""
    named: list[tuple[str, str]] = []
    for key in ("og:title", "twitter:title"):
        named += [(v, f"meta {key}") for v in metas.get(key, [])[:1]]
    named += [
        (h, "json-ld headline") for o in ld if _is_article(o) and (h := _text(o.get("headline")))
    ]
    title_tag = tree.find(".//title")
    if title_tag is not None and title_tag.text_content().strip():
        named.append((title_tag.text_content(), "title element"))
    stripped = [
        (_label_off(strip_affixes(clean_line(t), sites)), s) for t, s in named if clean_line(t)
    ]
    stripped = [(t, s) for t, s in stripped if t and not _is_site(t, sites)]
    known = [comparable(t) for t, _ in stripped]  # not trafilatura's: often the h1 itself
    headings = []
    for h1 in tree.xpath("//h1")[:5]:
        text = _label_off(clean_line(h1.text_content()))
        if text and not _is_site(text, sites) and chrome.word_count(text) <= 40:
            headings.append((h1, text))
    for _, text in headings:  # the h1 another source names as the article's title
        if any(k.startswith(comparable(text)) for k in known):
            return Chosen(text, "h1")
    for node in tree.xpath(_HEADLINE_NODES)[:5]:  # the heading the markup calls the headline
        text = _label_off(clean_line(node.text_content()))
        if text and not _is_site(text, sites) and 2 <= chrome.word_count(text) <= 40:
            return Chosen(text, f"{node.tag} headline")
    return Chosen(stripped[0][0], stripped[0][1]) if stripped else None


# -- authors ---------------------------------------------------------------------------------
def _ld_authors(ld: list[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    """(name, kind) of a JSON-LD article's authors: kind "Person" or "Organization"."""
    for obj in ld:
        if not _is_article(obj):
            continue
        authors = obj.get("author") or obj.get("creator")
        for item in (authors if isinstance(authors, list) else [authors])[:MAX_CANDIDATES]:
            if isinstance(item, str):
                yield item, "Person"
            elif isinstance(item, dict):
                name = _text(item.get("name"))
                if name:
                    yield name, "Organization" if "Organization" in _types(item) else "Person"
        return  # the first article object's authors


_BYLINE_NODES = (
    '//*[@rel="author"] | //*[@itemprop="author"] | //*[contains(@class, "byline")]'
    ' | //*[contains(@class, "author-name")] | //*[contains(@class, "author__name")]'
)


def _choose_authors(
    tree: lxml.html.HtmlElement, ld: list[dict[str, Any]], metas: dict[str, list[str]],
    sites: list[str],
) -> tuple[Chosen | None, list[str]]:  # fmt: skip
    """People credited as authors, from the most trusted source that names any, and the
    agencies credited anywhere in those sources."""
    agencies: list[str] = []
    sources: list[tuple[list[str], str]] = []
    ld_people = []
    for name, kind in _ld_authors(ld):
        agency = chrome.agency_name(name)
        if agency:
            agencies.append(agency)
        elif kind == "Person":
            ld_people.append(name)
    sources.append((ld_people, "json-ld author"))
    sources += [
        ([value], f"meta {key}")
        for key in _AUTHOR_META
        for value in metas.get(key, [])[:3]
        if not value.startswith(("http://", "https://", "@"))
    ]
    # the page's byline elements are searched for (an XPath over the whole page) only when
    # the structured sources name nobody
    for raw_names, source in itertools.chain(sources, _bylines(tree)):
        people: list[str] = []
        for raw in raw_names:
            found, credited = chrome.byline_people(raw, sites)
            agencies += credited
            people += [p for p in found if p not in people]
        if people:
            return Chosen(people[:10], source), _unique(agencies)
    return None, _unique(agencies)


def _bylines(tree: lxml.html.HtmlElement) -> Iterator[tuple[list[str], str]]:
    for node in tree.xpath(_BYLINE_NODES)[:MAX_CANDIDATES]:
        text = clean_line(node.get("content") or node.text_content())
        if text and chrome.word_count(text) <= 30:
            yield [text], "byline"


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


# -- the page --------------------------------------------------------------------------------
def page_metadata(tree: lxml.html.HtmlElement, url: str | None) -> PageMetadata:
    """Every metadata field the page's own sources give, chosen by trust (module docstring).
    Reads ``tree``, never changes it; ``complete`` then fills gaps from trafilatura's and
    htmldate's findings, trusted least."""
    ld = _json_ld(tree)
    metas = _metas(tree)
    out = PageMetadata(site_names=_site_names(tree, ld, metas, url), url=url)
    out.title = _choose_title(tree, ld, metas, out.site_names)
    out.published_candidates = [
        *_date_candidates(tree, ld, metas, "datePublished", _PUBLISHED_META),
        *_time_elements(tree),
    ]
    if not _settled(out.published_candidates):  # the visible dateline only when it can matter
        out.published_candidates += _visible_dates(tree)
    modified = list(_date_candidates(tree, ld, metas, "dateModified", _MODIFIED_META))
    if not _settled(modified):
        modified += _visible_dates(tree, updated=True)
    out.updated_at = _choose_date(iter(modified))
    out.asset_dates = _asset_dates(tree)
    out.authors, out.agencies = _choose_authors(tree, ld, metas, out.site_names)
    out.description = next((v[0] for k in _DESCRIPTION_META if (v := metas.get(k))), None) or _text(
        next((o.get("description") for o in ld if o.get("description")), None)
    )
    return out


_DESCRIPTION_META = ("og:description", "description", "twitter:description", "dc.description")


def needs_found_date(out: PageMetadata) -> bool:
    """Whether htmldate's search could change the published time: only when no more trusted
    source gives one (it is the least trusted but the URL path's)."""
    return _choose_date(iter(out.published_candidates)) is None


def complete(
    out: PageMetadata, *, title: str | None, author: str | None, found_date: str | None
) -> PageMetadata:
    """``out`` with what the page's sources left empty taken from trafilatura (``title``,
    ``author``) and htmldate (``found_date``, the least trusted date before the URL path's), and
    ``updated_at`` settled against ``published_at``."""
    sites = out.site_names
    fallback = clean_line(title or "")
    if out.title is None and fallback and not _is_site(fallback, sites):
        out.title = Chosen(_label_off(strip_affixes(fallback, sites)), "trafilatura")
    # htmldate reads image and script URLs too: its date alone, when an asset's path gives
    # that day and the article's URL does not, is an upload date, not a publication
    if found_date and found_date.endswith("T00:00:00"):  # htmldate's way of saying "no time"
        found_date = found_date[:10]
    day = url_date(out.url)
    when = parse_date(found_date) if found_date and not _has_time(found_date) else None
    if when and when.date() in out.asset_dates and (day is None or day.date() != when.date()):
        found_date = None
    dates = [*out.published_candidates, *([(found_date, "htmldate")] if found_date else [])]
    out.published_at = _choose_date(iter(dates))
    if out.published_at is None and day is not None:
        out.published_at = Chosen(day, "url path")
    if out.authors is None and author:
        people, agencies = chrome.byline_people(author, sites)
        out.agencies = _unique([*out.agencies, *agencies])
        if people:
            out.authors = Chosen(people[:10], "trafilatura")
    if out.updated_at and out.published_at:
        if not not_before(out.updated_at.value, out.published_at.value):
            out.dropped["updated_at"] = (
                f"dropped: {out.updated_at.source} ({out.updated_at.value.isoformat()})"
                " is before published_at"
            )
            out.updated_at = None
        elif out.updated_at.value == out.published_at.value:
            out.updated_at = None  # not updated
    return out


def not_before(later: datetime, earlier: datetime) -> bool:
    """``later >= earlier``; a naive and an aware time (one source gave an offset, the other
    none) compare by their clock readings."""
    if (later.tzinfo is None) != (earlier.tzinfo is None):
        return later.replace(tzinfo=None) >= earlier.replace(tzinfo=None)
    return later >= earlier
