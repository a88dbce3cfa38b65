"""``newsflow eval metadata PATH``: title, published time and authors against an editor's gold
file, newsflow beside trafilatura's own metadata and htmldate in the same run.

PATH is a folder of the extraction benchmark's layout (``html/<id>.html.gz`` and
``ground-truth.json`` for the URLs). The gold file (``--gold``; by default the one shipped here,
written by reading each of the 89 dev pages of ``../shared/eval/extraction``: what an editor
would record, not what any extractor says) holds per page ``title``, ``published_at``,
``authors`` (people), ``agencies``, with the evidence for each.

Scoring, per page, every page counted:
- title: exact, after whitespace, quotes and dashes are unified (’ and ', “ and ", – and -).
- published_at, to the minute: a gold date alone needs the same day; a gold time without an
  offset the same clock reading; a gold time with an offset the same instant, and an offset.
  A page whose gold has no date is right only when none is given.
- authors: the same set of people (case and whitespace aside); [] when the page credits none.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import trafilatura
from htmldate import find_date
from trafilatura.settings import Document

from newsflow.evaluation.extraction import load
from newsflow.progress import progress
from newsflow.schemas import RawArticle
from newsflow.services.errors import PoisonError
from newsflow.services.ingest.dates import parse_date
from newsflow.services.ingest.normalise import normalise_article

GOLD = Path(__file__).with_name("gold") / "metadata-extraction-dev.json"
FIELDS = ("title", "published_at", "authors")
MINUTE = 60  # seconds


@dataclass(frozen=True, slots=True)
class Found:
    title: str | None
    published_at: datetime | None
    authors: list[str] | None  # None: the system does not report authors


@dataclass(frozen=True, slots=True)
class Score:
    name: str
    right: dict[str, int]  # field -> pages right
    pages: int
    seconds: float
    misses: dict[str, list[str]]  # field -> ids of the pages it got wrong

    def share(self, field: str) -> float | None:
        return self.right[field] / self.pages if field in self.right and self.pages else None


def _norm_text(text: str | None) -> str:
    text = (text or "").replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip()


def title_right(gold: str | None, found: str | None) -> bool:
    return _norm_text(gold) == _norm_text(found)


def published_right(gold: str | None, found: datetime | None) -> bool:
    if not gold or found is None:
        return not gold and found is None
    if "T" not in gold:  # a date alone
        return found.date().isoformat() == gold[:10]
    want = parse_date(gold)
    if want is None:
        return False
    if want.tzinfo is None:  # the page gave a time but no offset: the clock reading
        return found.replace(tzinfo=None, second=0, microsecond=0) == want.replace(second=0)
    # an offset given: the same instant, to the minute, and an offset
    return found.tzinfo is not None and abs((found - want).total_seconds()) < MINUTE


def _people(names: list[str] | None) -> set[str]:
    return {_norm_text(n).casefold() for n in names or []}


def authors_right(gold: list[str], found: list[str] | None) -> bool:
    return found is not None and _people(gold) == _people(found)


def newsflow_meta(html: str, url: str | None) -> Found:
    raw = RawArticle(source="eval", url=url or None, content=html, content_type="text/html")
    try:
        article = normalise_article(raw)
    except PoisonError:
        return Found(None, None, [])
    return Found(article.title, article.published_at, article.authors)


def trafilatura_meta(html: str, url: str | None) -> Found:
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    if not isinstance(doc, Document):
        return Found(None, None, [])
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    return Found(doc.title, parse_date(doc.date), authors)


def htmldate_meta(html: str, url: str | None) -> Found:
    del url
    when = find_date(html, extensive_search=True, original_date=True,
                     outputformat="%Y-%m-%dT%H:%M:%S%z")  # fmt: skip
    return Found(None, parse_date(when), None)


SYSTEMS: dict[str, tuple[Callable[[str, str | None], Found], tuple[str, ...]]] = {
    "newsflow": (newsflow_meta, FIELDS),
    "trafilatura (baseline)": (trafilatura_meta, FIELDS),
    "htmldate (baseline)": (htmldate_meta, ("published_at",)),
}


def load_gold(path: Path) -> dict[str, dict[str, Any]]:
    return {page["id"]: page for page in json.loads(path.read_text("utf-8"))}


def evaluate(path: Path, gold_path: Path = GOLD) -> list[Score]:
    gold = load_gold(gold_path)
    pages = [(i, html, url) for i, html, url, _ in load(path) if i in gold]
    results = []
    for name, (extract, fields) in SYSTEMS.items():
        start = time.perf_counter()
        found = [extract(html, url) for _, html, url in progress(pages, name)]
        seconds = time.perf_counter() - start
        right = dict.fromkeys(fields, 0)
        misses: dict[str, list[str]] = {f: [] for f in fields}
        for (page_id, _, _), f in zip(pages, found, strict=True):
            g = gold[page_id]
            checks = {
                "title": title_right(g["title"], f.title),
                "published_at": published_right(g["published_at"], f.published_at),
                "authors": authors_right(g["authors"], f.authors),
            }
            for field in fields:
                if checks[field]:
                    right[field] += 1
                else:
                    misses[field].append(page_id)
        results.append(Score(name, right, len(pages), seconds, misses))
    return results
