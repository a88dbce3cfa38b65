"""Enrich stage throughput per core: newsflow's enrich core vs spaCy's full en_core_web_sm
pipeline on the same articles, in the same process, and the ratio.

Articles: the bundled samples reshuffled into 20 stories, or with --dir a BBC-style folder
(<category>/NNN.txt: title, blank line, paragraphs), e.g. ../shared/eval/bbc (--limit of them).
Both systems see the same fields (title, standfirst, each body paragraph); the baseline runs
every component of en_core_web_sm (tok2vec, tagger, parser, attribute_ruler, lemmatizer, ner),
as an off-the-shelf "spaCy NER" deployment would (and once more with its layers on numpy's
BLAS, as newsflow's run: blis falls back to a generic kernel on CPUs it does not know, and the
second ratio shows what newsflow gains by its own work alone); newsflow runs its NER model,
entity rules, entity grouping, places, salience and topics. Medians of --repeat timed passes,
one core.

Usage: python bench/enrich.py [--dir ../shared/eval/bbc] [--limit 200] [--repeat 3] [--json OUT]
       [--model DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import spacy
from thinc.api import Model

from newsflow.evaluation.ner import BaselineMissing, require_baseline
from newsflow.schemas import NormalizedArticle
from newsflow.services.enrich.decoder import use_numpy_blas
from newsflow.services.enrich.enrich import SPACY_MODEL, Enricher, load_model
from newsflow.services.ingest.normalise import normalise_payload
from newsflow.showcase import sample_files


def median_rate(fn: Callable[[], Any], items: int, repeat: int) -> float:
    fn()  # warm-up: model caches, lazy loads
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return items / statistics.median(times)


def plain_texts() -> list[bytes]:
    """The bundled samples, and each with its paragraphs shuffled into a new story: 20 inputs."""
    base = [p.read_bytes() for p in sample_files() if p.suffix == ".txt"]
    shared = Path("../shared/samples/putin-syria-withdrawal.txt")
    base.append(shared.read_bytes() if shared.exists() else base[0])
    out = []
    for i in range(20):
        blocks = base[i % len(base)].split(b"\n\n")
        out.append(b"\n\n".join(blocks[:2] + blocks[2:][i % 3 :] + blocks[2:][: i % 3]))
    return out


def folder_articles(folder: Path, limit: int) -> list[NormalizedArticle]:
    paths = sorted(folder.glob("*/*.txt"))
    step = max(1, len(paths) // limit)  # spread over the categories
    return [normalise_payload(p.read_bytes()) for p in paths[::step][:limit]]


def spacy_full(nlp: spacy.language.Language, articles: Sequence[NormalizedArticle]) -> None:
    texts = [t for a in articles for t in (a.title, a.standfirst or "", *(p.text for p in a.body))]
    for _ in nlp.pipe(texts, batch_size=64):
        pass


def run(
    articles: list[NormalizedArticle], repeat: int, model: Path | None = None
) -> dict[str, Any]:
    enricher = Enricher(nlp=load_model(model))
    full = spacy.load(SPACY_MODEL)
    full_numpy = spacy.load(SPACY_MODEL)
    for _, proc in full_numpy.pipeline:
        if isinstance(getattr(proc, "model", None), Model):
            use_numpy_blas(proc.model)
    systems: list[Callable[[], object]] = [
        lambda: enricher.enrich_many(articles),
        lambda: spacy_full(full, articles),
        lambda: spacy_full(full_numpy, articles),
    ]
    for fn in systems:
        fn()  # warm-up: model caches, lazy loads
    # passes interleaved, so that a load coming and going on the machine hits both alike
    times: list[list[float]] = [[] for _ in systems]
    for _ in range(repeat):
        for fn, runs in zip(systems, times, strict=True):
            start = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - start)
    ours, base, base_numpy = (len(articles) / statistics.median(runs) for runs in times)
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "articles": len(articles),
        "mean_words": round(sum(a.word_count for a in articles) / len(articles)),
        "articles_per_second_per_core": {
            "enrich (newsflow)": round(ours, 1),
            "spaCy en_core_web_sm full pipeline": round(base, 1),
            "the same, its layers on numpy's BLAS": round(base_numpy, 1),
        },
        "ratio": round(ours / base, 2),
        "ratio_same_blas": round(ours / base_numpy, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dir", type=Path, help="BBC-style folder of articles")
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--model", type=Path, help="a retrained spaCy NER pipeline to time")
    args = parser.parse_args()
    try:
        require_baseline()
    except BaselineMissing as exc:
        raise SystemExit(f"error: {exc}") from None
    if args.dir:
        articles = folder_articles(args.dir, args.limit)
    else:
        articles = [normalise_payload(t) for t in plain_texts()]
    result = run(articles, args.repeat, args.model)
    print(f"machine: {result['machine']}; {result['articles']} articles, "
          f"{result['mean_words']} words on average")  # fmt: skip
    for name, rate in result["articles_per_second_per_core"].items():
        print(f"{name:40} {rate:8.1f} articles/s/core")
    print(f"ratio newsflow / spaCy full: {result['ratio']}x "
          f"(/ spaCy full on numpy's BLAS: {result['ratio_same_blas']}x)")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
