"""``newsflow eval extraction PATH``: body-text quality on the ScrapingHub
article-extraction-benchmark layout (``html/<id>.html.gz`` + ``ground-truth.json``).

Scoring follows the benchmark's method: each text becomes word 4-gram shingles (``\\w+``
tokens); per page, true positives, false positives and false negatives are counted over the
shingle multisets and normalised to sum to one; precision and recall are averaged over pages;
F1 is computed from the two averages. The baseline, trafilatura alone with the benchmark's own
call (``extract(html, include_comments=False)``), runs in the same process on the same pages."""

from __future__ import annotations

import gzip
import json
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import trafilatura

from newsflow.progress import progress
from newsflow.schemas import RawArticle
from newsflow.services.errors import PoisonError
from newsflow.services.ingest.normalise import normalise_article

_TOKEN = re.compile(r"\w+")
SHINGLE = 4


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text)
    n = max(1, len(tokens) - SHINGLE + 1)
    return Counter(tuple(tokens[i : i + SHINGLE]) for i in range(n) if tokens[i : i + SHINGLE])


def page_counts(true: str, pred: str) -> tuple[float, float, float]:
    """Normalised (tp, fp, fn) of one page."""
    t, p = _shingles(true), _shingles(pred)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


@dataclass(frozen=True, slots=True)
class Score:
    name: str
    precision: float
    recall: float
    f1: float
    pages: int
    seconds: float

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def score(name: str, counts: list[tuple[float, float, float]], seconds: float) -> Score:
    precision = statistics.mean(_precision(*c) for c in counts if c[0] + c[1] > 0)
    recall = statistics.mean(_recall(*c) for c in counts if c[0] + c[2] > 0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(name, precision, recall, f1, len(counts), seconds)


def newsflow_body(html: str, url: str | None) -> str:
    raw = RawArticle(source="eval", url=url or None, content=html, content_type="text/html")
    try:
        article = normalise_article(raw)
    except PoisonError:
        return ""
    return "\n".join(p.text for p in article.body)


def trafilatura_body(html: str, url: str | None) -> str:
    del url  # the benchmark's call does not pass it
    return trafilatura.extract(html, include_comments=False) or ""


EXTRACTORS: dict[str, Callable[[str, str | None], str]] = {
    "newsflow": newsflow_body,
    "trafilatura (baseline)": trafilatura_body,
}


def load(path: Path) -> list[tuple[str, str, str | None, str]]:
    """(id, html, url, gold body) per page, sorted by id."""
    truth = json.loads((path / "ground-truth.json").read_text("utf-8"))
    pages = []
    for page_id in sorted(truth):
        html = gzip.decompress((path / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append((page_id, html.decode("utf-8", "replace"), truth[page_id].get("url"),
                      truth[page_id].get("articleBody", "")))  # fmt: skip
    return pages


# The kinds of site text issue 14 found in bodies, written apart from the ingest rules that
# remove them (an audit, not the rules again): link and promotion lines in the common forms
# and languages, follow / newsletter / share footers, timestamp-and-byline lines, tag lists.
SITE_TEXT = re.compile(
    r"^(?:related|read more|see more|see also|more|don['’]t miss|also read|leggi anche|"
    r"lesen sie auch|mehr zum thema|lire aussi|à lire aussi|voir aussi|leia também|"
    r"leia mais|veja também|lea también|lee también|ver también)\b\s*(?::|$)"
    r"|^(?:you may also like|you might also like|most read|popular on|recommended for you)"
    r"|\bsign up\b.{0,80}\bnewsletter\b|\bdelivered to your inbox\b"
    r"|^follow (?:us|\S+(?: \S+){0,3}) on (?:twitter|facebook|instagram|youtube)"
    r"|share (?:it|this) with a friend|^(?:filed under|tags|topics)\s*:"
    r"|^\d{1,2}:\d\d\s*[ap]m\b.{0,40}\b\d{4}\b.{0,10}\bby\b"
    r"|\[(?:INSIGHT|WARNING|NEWS|VIDEO|PICS|POLL)\]$"
    r"|^(?:image|media) caption\b",
    re.I,
)


def site_text(title: str, body: list[str]) -> list[str]:
    """The lines of an extracted body that are site text of those kinds, and the headline
    when the body repeats it as its first block."""
    found = [line for line in body if SITE_TEXT.search(line.strip())]
    if body and body[0].strip().casefold() == title.strip().casefold():
        found.insert(0, body[0])
    return found


def audit(path: Path) -> dict[str, list[str]]:
    """Site text left in newsflow's bodies of the pages at ``path``: page id -> lines."""
    left: dict[str, list[str]] = {}
    for page_id, html, url, _ in load(path):
        raw = RawArticle(source="eval", url=url or None, content=html, content_type="text/html")
        try:
            article = normalise_article(raw)
        except PoisonError:
            continue
        lines = site_text(article.title, [p.text for p in article.body])
        if lines:
            left[page_id] = lines
    return left


def evaluate(path: Path) -> list[Score]:
    pages = load(path)
    results = []
    for name, extract in EXTRACTORS.items():
        start = time.perf_counter()
        bodies = [extract(html, url) for _, html, url, _ in progress(pages, name)]
        elapsed = time.perf_counter() - start
        counts = [
            page_counts(gold, body) for (_, _, _, gold), body in zip(pages, bodies, strict=True)
        ]
        results.append(score(name, counts, elapsed))
    return results
