"""End to end as a new user runs it: the embedded broker, ``newsflow worker`` with its defaults
(``--service all``: ingest and enrich as supervised processes, one core each), news stories
published at once, counted as they arrive on the enriched topic; and in the same run, spaCy's
full ``en_core_web_sm`` pipeline alone on the same texts (title and paragraphs) in this
process: what "run spaCy on it yourself" costs. Also how long the worker takes from start to
its first enriched article (and each stage's phases, from its worker_ready line), and the peak
RSS of each worker process.

Stories: a BBC-style folder (``<category>/NNN.txt``: title, blank line, paragraphs), e.g.
``../shared/eval/bbc``, or the bundled samples reshuffled when none is given.

Usage: python bench/blackbox.py [--dir ../shared/eval/bbc] [--limit 399] [--json OUT]
       [--bootstrap HOST:PORT]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import spacy
from enrich import plain_texts  # bench/enrich.py
from harness import Workers, collect, proc_stats, produce  # bench/harness.py
from startup import log_events, phases  # bench/startup.py

from newsflow.broker import EmbeddedBroker
from newsflow.services.enrich.enrich import SPACY_MODEL
from newsflow.services.ingest.normalise import normalise_payload


def stories(folder: Path | None, limit: int) -> list[bytes]:
    if folder is None:
        return plain_texts()
    paths = sorted(folder.glob("*/*.txt"))
    step = max(1, len(paths) // limit)
    return [p.read_bytes() for p in paths[::step][:limit]]


def spacy_rate(payloads: list[bytes], repeat: int = 3) -> float:
    """Articles per second of spaCy's full small pipeline on the articles' fields."""
    nlp = spacy.load(SPACY_MODEL)
    articles = [normalise_payload(p) for p in payloads]
    texts = [t for a in articles for t in (a.title, a.standfirst or "", *(p.text for p in a.body))]
    list(nlp.pipe(texts[:200], batch_size=64))  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=64):
            pass
        times.append(time.perf_counter() - start)
    return len(articles) / statistics.median(times)


async def first_output(workers: Workers, payload: bytes, timeout: float) -> float:
    """When (epoch seconds) ``payload``, published now, comes out enriched (the worker
    starting meanwhile)."""
    start = time.time()
    settings = workers.settings
    await produce(settings.bootstrap_servers, settings.topics.raw, [payload], None)
    records = await collect(settings.bootstrap_servers, settings.topics.enriched, 1, timeout,
                            start - 1.0, origin=False)  # fmt: skip
    if not records:
        raise SystemExit(f"error: no enriched article within {timeout} s; see {workers.logdir}")
    return float(records[0].timestamp) / 1000


async def burst(workers: Workers, payloads: list[bytes]) -> dict[str, Any]:
    settings = workers.settings
    since = time.time()  # enriched records are appended after this: not the warm-up's
    start = await produce(settings.bootstrap_servers, settings.topics.raw, payloads, None)
    records = await collect(settings.bootstrap_servers, settings.topics.enriched,
                            len(payloads), 900, since, origin=False)  # fmt: skip
    last = max(r.timestamp for r in records) / 1000 if records else time.time()
    return {"articles": len(records), "seconds": round(last - start, 2),
            "articles_per_s": round(len(records) / (last - start), 1)}  # fmt: skip


def children_rss(pid: int) -> dict[str, float]:
    """Peak RSS (MB) of the worker's child processes by stage (``--service all`` runs one
    ingest process and one or more enrich processes: the largest of a stage's)."""
    out: dict[str, float] = {}
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        cmd = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        name = cmd[cmd.index(b"--service") + 1].decode() if b"--service" in cmd else child
        out[name] = max(out.get(name, 0.0), round(proc_stats(int(child))[0], 1))
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    payloads = stories(args.dir, args.limit)
    broker = None if args.bootstrap else EmbeddedBroker().start()
    bootstrap = args.bootstrap or broker.bootstrap  # type: ignore[union-attr]  # set when --bootstrap is not
    result: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "articles": len(payloads),
    }
    workers = Workers(bootstrap, app_id="blackbox")
    try:
        started = time.time()
        workers.start(["all"])
        first = asyncio.run(first_output(workers, payloads[0], 180))
        result["start_to_first_enriched_s"] = round(first - started, 1)
        result["pipeline"] = asyncio.run(burst(workers, payloads))
        result["start_phases"] = phases(log_events(workers.logdir / "all.log"), "all", started)
        result["peak_rss_mb"] = children_rss(workers.procs["all"].pid)
    finally:
        workers.stop()
        if broker:
            broker.stop()
    base = spacy_rate(payloads)
    result["spacy_full_articles_per_s"] = round(base, 1)
    result["ratio"] = round(result["pipeline"]["articles_per_s"] / base, 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dir", type=Path, help="BBC-style folder of stories")
    parser.add_argument("--limit", type=int, default=399)
    parser.add_argument("--bootstrap")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = run(args)
    p = result["pipeline"]
    print(f"machine: {result['machine']}; {result['articles']} stories published at once")
    print(f"newsflow worker (defaults), end to end  {p['articles_per_s']:8.1f} articles/s "
          f"({p['articles']} in {p['seconds']} s)")  # fmt: skip
    print(f"spaCy en_core_web_sm full, alone        {result['spacy_full_articles_per_s']:8.1f} "
          "articles/s (one process)")  # fmt: skip
    print(f"ratio: {result['ratio']}x; start to first enriched article "
          f"{result['start_to_first_enriched_s']} s")  # fmt: skip
    for stage in ("ingest", "enrich"):
        ready = result["start_phases"].get(stage, {})
        print(f"{stage} start, s: " + ", ".join(f"{k} {v}" for k, v in ready.items()))
    print(f"peak RSS MB: {result['peak_rss_mb']}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
