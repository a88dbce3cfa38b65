"""Every speed goal of issue 15 in one table: each measured in this run against its baseline,
with the machine and the command that measures it on its own.

Runs, one after the other: bench/blackbox.py (end to end as a new user runs it, start to the
first article, peak RSS), bench/startup.py (start to ready of each worker, three starts each),
bench/stages.py (HTML normalise against trafilatura alone) and bench/e2e.py --scaling
(framework overhead against an aiokafka pass-through, p99 at a fixed rate, cost against size).
About 11 minutes on the 2-core dev box.

Usage: python bench/goals.py --bbc ../shared/eval/bbc --html-dir ../shared/eval/extraction
       [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from pathlib import Path
from typing import Any

import blackbox  # bench/blackbox.py
import e2e  # bench/e2e.py
import stages  # bench/stages.py
import startup  # bench/startup.py


def measure(args: argparse.Namespace) -> dict[str, Any]:
    box = blackbox.run(argparse.Namespace(dir=args.bbc, limit=399, bootstrap=None))
    starts = startup.run(3, ["ingest", "enrich", "all"], None)
    ready = {c: m["command_to_ready"] for c, m in starts["medians"].items()}
    stage = stages.run(args.html_dir, 3)
    ends = e2e.run(argparse.Namespace(articles=100, rate=20, enrich_workers=1, scale=1.0,
                                      overhead_rounds=3,
                                      scaling=True, bootstrap=None))  # fmt: skip
    fixed = next(v for k, v in ends.items() if k.startswith("pipeline_at_"))
    rss = max([*box["peak_rss_mb"].values(), *ends["peak_rss_mb"].values()])
    rows = [
        ("end to end, default worker", ">= 5x spaCy full", f"{box['ratio']}x",
         box["ratio"] >= 5, "python bench/blackbox.py --dir BBC"),
        ("HTML normalise", ">= 1.0x trafilatura alone",
         f"{stage['ratios']['HTML: newsflow / trafilatura']}x",
         stage["ratios"]["HTML: newsflow / trafilatura"] >= 1.0,
         "python bench/stages.py --html-dir EXTRACTION"),
        ("framework overhead (transforms off)", ">= 0.5x aiokafka pass-through",
         f"{ends['transforms_off_ratio_to_passthrough']}x",
         ends["transforms_off_ratio_to_passthrough"] >= 0.5, "python bench/e2e.py"),
        ("p99 at 20 articles/s, median size", "< 0.300 s",
         f"{fixed['latency_seconds']['p99']} s", fixed["latency_seconds"]["p99"] < 0.3,
         "python bench/e2e.py --rate 20"),
        ("start to ready, each worker", "< 5 s",
         "/".join(f"{v:.1f}" for v in ready.values()) + " s", max(ready.values()) < 5,
         "python bench/startup.py (ingest / enrich / all)"),
        ("start to first enriched article", "< 5 s", f"{box['start_to_first_enriched_s']} s",
         box["start_to_first_enriched_s"] < 5, "python bench/blackbox.py"),
        ("peak RSS per worker", "< 400 MB", f"{rss} MB", rss < 400,
         "bench/blackbox.py, bench/e2e.py"),
        ("CPU at 100x the median size", "<= 110x the 1x cost",
         f"{ends['scaling']['100x']['cost_vs_1x']}x",
         ends["scaling"]["100x"]["cost_vs_1x"] <= 110, "python bench/e2e.py --scaling"),
    ]  # fmt: skip
    fields = ("goal", "target", "now", "met", "command")
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "goals": [dict(zip(fields, r, strict=True)) for r in rows],
        "blackbox": box,
        "startup": starts,
        "stages": stage,
        "e2e": ends,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bbc", type=Path, required=True, help="BBC-style folder of stories")
    parser.add_argument("--html-dir", type=Path, required=True, help="extraction benchmark")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = measure(args)
    print(f"machine: {result['machine']}")
    width = max(len(g["goal"]) for g in result["goals"])
    for g in result["goals"]:
        mark = "met" if g["met"] else "NOT met"
        print(f"{g['goal']:<{width}}  {g['target']:<30} {g['now']:>10}  {mark:<7}  {g['command']}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
