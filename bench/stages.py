"""Articles per second per core for each stage alone, with the field's baseline in the same
process on the same articles:

  normalise (plain text)   newsflow's ingest core on bundled/generated scrapes
  normalise (HTML)         newsflow's ingest core   vs  trafilatura.extract alone
  enrich                   newsflow's enrich core   vs  spaCy's full en_core_web_sm pipeline

Usage: python bench/stages.py [--html-dir PATH] [--repeat N] [--json OUT]
(--html-dir: an article-extraction-benchmark folder, e.g. ../shared/eval/extraction.)
Medians of N timed passes over the same inputs, one process, one core."""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
from pathlib import Path
from typing import Any

import spacy
import trafilatura
from enrich import median_rate, plain_texts, spacy_full  # bench/enrich.py

from newsflow.evaluation.ner import BaselineMissing, require_baseline
from newsflow.schemas import RawArticle
from newsflow.services.enrich.enrich import SPACY_MODEL, Enricher
from newsflow.services.ingest.normalise import normalise_article, normalise_payload
from newsflow.showcase import sample_files

ROOT = Path(__file__).resolve().parents[1]


def html_pages(folder: Path | None) -> list[str]:
    if folder is None:
        return [p.read_text() for p in sample_files() if p.suffix == ".html"]
    return [gzip.decompress(p.read_bytes()).decode("utf-8", "replace")
            for p in sorted((folder / "html").glob("*.html.gz"))]  # fmt: skip


def run(html_dir: Path | None, repeat: int) -> dict[str, Any]:
    texts = plain_texts()
    pages = html_pages(html_dir)
    raws = [RawArticle(source="bench", content=h, content_type="text/html") for h in pages]
    articles = [normalise_payload(t) for t in texts]
    enricher = Enricher()
    full = spacy.load(SPACY_MODEL)
    words = sum(a.word_count for a in articles) / len(articles)
    rows = {
        "normalise plain text": median_rate(
            lambda: [normalise_payload(t) for t in texts], len(texts), repeat
        ),
        "normalise HTML": median_rate(
            lambda: [normalise_article(r) for r in raws], len(raws), repeat
        ),
        "trafilatura alone (HTML baseline)": median_rate(
            lambda: [trafilatura.extract(h, include_comments=False) for h in pages],
            len(pages),
            repeat,
        ),
        "enrich (newsflow)": median_rate(
            lambda: enricher.enrich_many(articles), len(articles), repeat
        ),
        "spaCy en_core_web_sm full pipeline (enrich baseline)": median_rate(
            lambda: spacy_full(full, articles), len(articles), repeat
        ),
    }
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "inputs": {"plain_texts": len(texts), "html_pages": len(pages), "mean_words": round(words)},
        "articles_per_second_per_core": {k: round(v, 1) for k, v in rows.items()},
        "ratios": {
            "HTML: newsflow / trafilatura": round(
                rows["normalise HTML"] / rows["trafilatura alone (HTML baseline)"], 2
            ),
            "enrich: newsflow / spaCy full": round(
                rows["enrich (newsflow)"]
                / rows["spaCy en_core_web_sm full pipeline (enrich baseline)"],
                2,
            ),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--html-dir", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    try:
        require_baseline()
    except BaselineMissing as exc:
        raise SystemExit(f"error: {exc}") from None
    result = run(args.html_dir, args.repeat)
    print(f"machine: {result['machine']}; inputs: {result['inputs']}")
    print(f"{'stage':55} {'articles/s/core':>16}")
    for name, rate in result["articles_per_second_per_core"].items():
        print(f"{name:55} {rate:16.1f}")
    for name, ratio in result["ratios"].items():
        print(f"ratio {name}: {ratio}x")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
