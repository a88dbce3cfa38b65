"""End-to-end benchmark: the real workers on the embedded broker (or --bootstrap), against a
plain aiokafka consume->produce pass-through over the same broker and messages, in one run.

Reports throughput (articles/s, full speed), end-to-end latency p50/p95/p99 (raw record's
Kafka timestamp, carried in a header, to the enriched record's timestamp) at full speed and at
a fixed rate, peak RSS and CPU seconds per article of each worker process.

In the same run, the framework's own cost: the same workers with NEWSFLOW_TRANSFORMS=false
(each stage forwards its input unchanged through the same batching, delivery and commits)
against the pass-through. With --scaling, CPU seconds per article at 1x, 10x and 100x the
median article size, to show how cost grows.

Usage: python bench/e2e.py [--articles 300] [--rate 20] [--enrich-workers 1] [--scale 1]
                           [--scaling] [--json OUT] [--bootstrap HOST:PORT]
--scale multiplies article length (1x: 300 to 5,000 words, median ~1,200)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from newsflow.broker import EmbeddedBroker, free_port
from newsflow.corpus import sized_article, sized_corpus
from newsflow.kafka import ensure_topics
from newsflow.procs import worker_command
from newsflow.publish import ORIGIN_HEADER
from newsflow.settings import Settings


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    q = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": round(q[49], 3), "p95": round(q[94], 3), "p99": round(q[98], 3)}


async def produce(bootstrap: str, topic: str, payloads: list[bytes], rate: float | None) -> float:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", linger_ms=5, max_request_size=20_000_000
    )
    await producer.start()
    start = time.time()
    try:
        futures = []
        for i, p in enumerate(payloads):
            if rate:
                await asyncio.sleep(max(0.0, start + i / rate - time.time()))
            futures.append(await producer.send(topic, p))
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return start


async def collect(
    bootstrap: str, topic: str, count: int, timeout: float, since: float, *, origin: bool = True
) -> list[Any]:
    """Records whose raw article entered Kafka at or after ``since`` (by the origin header, or
    with ``origin=False`` by their own timestamp)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=20_000_000,
    )
    await consumer.start()
    records: list[Any] = []
    deadline = time.time() + timeout
    try:
        while len(records) < count and time.time() < deadline:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(
                    r
                    for r in batch
                    if ((_origin(r) if origin else r.timestamp / 1000) or 0) >= since
                )
    finally:
        await consumer.stop()
    return records


def _origin(record: Any) -> float | None:
    origin = dict(record.headers or []).get(ORIGIN_HEADER)
    return float(origin) if origin else None


async def passthrough(bootstrap: str, payloads: list[bytes]) -> float:
    """The baseline: plain aiokafka consume -> produce, as fast as the broker allows."""
    src, dst = f"pt-in-{uuid.uuid4().hex[:6]}", f"pt-out-{uuid.uuid4().hex[:6]}"
    await produce(bootstrap, src, payloads, None)
    consumer = AIOKafkaConsumer(
        src,
        bootstrap_servers=bootstrap,
        group_id=f"pt-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=20_000_000,
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", linger_ms=5, max_request_size=20_000_000
    )
    await consumer.start()
    await producer.start()
    start, moved = time.time(), 0
    try:
        while moved < len(payloads):
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                futures = [await producer.send(dst, r.value, key=r.key) for r in batch]
                await asyncio.gather(*futures)
                moved += len(batch)
    finally:
        await consumer.stop()
        await producer.stop()
    out = await collect(bootstrap, dst, len(payloads), 120, start - 1.0, origin=False)
    return steady_rate(out)


def steady_rate(records: list[Any]) -> float:
    """Messages per second between the first and the last output record (broker timestamps):
    the same measure for the pass-through and the pipeline, free of start-up and fetch waits."""
    stamps = sorted(r.timestamp for r in records)
    if len(stamps) < 2 or stamps[-1] == stamps[0]:
        return 0.0
    return (len(stamps) - 1) / ((stamps[-1] - stamps[0]) / 1000)


def proc_stats(pid: int) -> tuple[float, float]:
    """(peak RSS in MB, CPU seconds) of a live process, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    hwm = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return hwm / 1024, (int(fields[11]) + int(fields[12])) / ticks


def latencies(records: list[Any]) -> list[float]:
    return [r.timestamp / 1000 - o for r in records if (o := _origin(r)) is not None]


async def pipeline_run(
    settings: Settings, payloads: list[bytes], rate: float | None
) -> dict[str, Any]:
    since = time.time() - 1.0  # record timestamps are milliseconds; allow clock rounding
    start = await produce(settings.bootstrap_servers, settings.topics.raw, payloads, rate)
    records = await collect(
        settings.bootstrap_servers, settings.topics.enriched, len(payloads), 900, since
    )
    last = max(r.timestamp for r in records) / 1000 if records else time.time()
    return {
        "articles": len(records),
        "throughput": round(steady_rate(records), 2),
        "throughput_from_first_input": round(len(records) / (last - start), 2),
        "latency_seconds": percentiles(latencies(records)),
    }


class Workers:
    """One ingest and N enrich worker processes on their own topics and consumer groups."""

    def __init__(self, bootstrap: str, *, enrich_workers: int, transforms: bool) -> None:
        tag = uuid.uuid4().hex[:6]
        names = ("raw", "normalized", "enriched", "deadletter", "replayed")
        topics = {name: f"{name}-{tag}" for name in names}
        self.settings = Settings(bootstrap_servers=bootstrap, topics=topics)
        self.env = {
            **os.environ,
            "NEWSFLOW_BOOTSTRAP_SERVERS": bootstrap,
            "NEWSFLOW_APP_ID": f"bench-{tag}",
            **{f"NEWSFLOW_TOPICS__{k.upper()}": v for k, v in topics.items()},
            "NEWSFLOW_SESSION_TIMEOUT": "3",
            "NEWSFLOW_HEARTBEAT_INTERVAL": "0.5",
            "NEWSFLOW_REBALANCE_TIMEOUT": "3",
            "NEWSFLOW_WEB_HOST": "127.0.0.1",
            "NEWSFLOW_LOG_LEVEL": "WARNING",
            "NEWSFLOW_LIMITS__MAX_RAW_BYTES": "20000000",
            "NEWSFLOW_LIMITS__MAX_PARAGRAPHS": "100000",
            "NEWSFLOW_TRANSFORMS": "true" if transforms else "false",
        }
        self.names = ["ingest"] + [f"enrich-{i}" for i in range(enrich_workers)]
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.logdir = Path(tempfile.mkdtemp(prefix="newsflow-bench-"))

    def __enter__(self) -> Workers:
        asyncio.run(ensure_topics(self.settings))
        for name in self.names:
            cmd = worker_command(name.split("-")[0], web_port=free_port())
            with (self.logdir / f"{name}.log").open("wb") as log:
                self.procs[name] = subprocess.Popen(
                    cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT
                )
        asyncio.run(
            pipeline_run(self.settings, sized_corpus(10, 1.0), None)
        )  # warm-up, joins groups
        return self

    def __exit__(self, *exc: object) -> None:
        for p in self.procs.values():
            p.send_signal(signal.SIGTERM)
        for p in self.procs.values():
            p.wait(60)

    def cpu(self) -> dict[str, float]:
        return {name: proc_stats(p.pid)[1] for name, p in self.procs.items()}

    def rss(self) -> dict[str, float]:
        return {name: round(proc_stats(p.pid)[0], 1) for name, p in self.procs.items()}

    def measured(self, payloads: list[bytes], rate: float | None) -> dict[str, Any]:
        """A pipeline run plus the CPU seconds per article each stage spent on it."""
        before = self.cpu()
        out = asyncio.run(pipeline_run(self.settings, payloads, rate))
        after = self.cpu()
        ingest = after["ingest"] - before["ingest"]
        enrich = sum(after[n] - before[n] for n in after if n.startswith("enrich"))
        out["cpu_seconds_per_article"] = {
            "ingest": round(ingest / len(payloads), 4),
            "enrich": round(enrich / len(payloads), 4),
        }
        return out


def median_words(scale: float = 1.0) -> int:
    words = sorted(len(p.split()) for p in sized_corpus(301, scale))
    return words[len(words) // 2]


def run(args: argparse.Namespace) -> dict[str, Any]:
    broker = None if args.bootstrap else EmbeddedBroker().start()
    bootstrap = args.bootstrap or broker.bootstrap  # type: ignore[union-attr]
    payloads = sized_corpus(args.articles, args.scale)
    words = sorted(len(p.split()) for p in payloads)
    median = median_words(args.scale)
    result: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "articles": args.articles,
        "scale": args.scale,
        "enrich_workers": args.enrich_workers,
        "words": {"min": words[0], "median": words[len(words) // 2], "max": words[-1]},
    }
    try:
        many = payloads * max(1, 2000 // len(payloads))  # the overhead runs need volume
        baseline = asyncio.run(passthrough(bootstrap, many))
        result["passthrough_baseline_per_s"] = round(baseline, 1)
        result["overhead_messages"] = len(many)
        with Workers(bootstrap, enrich_workers=1, transforms=False) as bare:
            off = bare.measured(many, None)
        result["transforms_off_full_speed"] = off
        result["transforms_off_ratio_to_passthrough"] = round(off["throughput"] / baseline, 3)
        with Workers(bootstrap, enrich_workers=args.enrich_workers, transforms=True) as real:
            full = real.measured(payloads, None)
            result["pipeline_full_speed"] = full
            result["pipeline_ratio_to_passthrough"] = round(full["throughput"] / baseline, 4)
            fixed_set = [sized_article(100_000 + i, median) for i in range(int(args.rate * 15))]
            result[f"pipeline_at_{args.rate}_per_s_{median}_words"] = real.measured(
                fixed_set, float(args.rate)
            )
            if args.scaling:
                result["scaling"] = scaling(real, median)
            result["peak_rss_mb"] = real.rss()
    finally:
        if broker:
            broker.stop()
    return result


SCALING = ((1, 60), (10, 10), (100, 2))  # (size multiple of the median article, articles)


def scaling(workers: Workers, median: int) -> dict[str, Any]:
    """CPU seconds per article at 1x, 10x and 100x the median size, and the growth ratios."""
    rows = {}
    for multiple, count in SCALING:
        payloads = [
            sized_article(200_000 + multiple * 1000 + i, median * multiple) for i in range(count)
        ]
        run = workers.measured(payloads, None)
        cpu = run["cpu_seconds_per_article"]
        rows[f"{multiple}x"] = {
            "words": median * multiple,
            "articles": count,
            "cpu_seconds_per_article": cpu,
            "total_cpu_seconds_per_article": round(cpu["ingest"] + cpu["enrich"], 4),
            "latency_seconds": run["latency_seconds"],
        }
    base = rows["1x"]["total_cpu_seconds_per_article"]
    for row in rows.values():
        row["cost_vs_1x"] = round(row["total_cpu_seconds_per_article"] / base, 1)
    return rows


def table(r: dict[str, Any]) -> str:
    """The run as a plain-text table (the JSON has every figure)."""

    def lat(run: dict[str, Any]) -> str:
        q = run["latency_seconds"]
        return f"p50 {q['p50']} s, p95 {q['p95']} s, p99 {q['p99']} s"

    fixed = next(k for k in r if k.startswith("pipeline_at_"))
    rows = [
        ("machine", r["machine"]),
        ("articles (words min/median/max)", f"{r['articles']} ({r['words']['min']}/"
         f"{r['words']['median']}/{r['words']['max']}), {r['enrich_workers']} enrich worker(s)"),
        ("pass-through baseline", f"{r['passthrough_baseline_per_s']} msg/s"),
        ("transforms off", f"{r['transforms_off_full_speed']['throughput']} msg/s = "
         f"{r['transforms_off_ratio_to_passthrough']}x pass-through"),
        ("pipeline, full speed", f"{r['pipeline_full_speed']['throughput']} articles/s, "
         + lat(r["pipeline_full_speed"])),
        (fixed.replace("_", " "), lat(r[fixed])),
        ("CPU s/article at fixed rate", str(r[fixed]["cpu_seconds_per_article"])),
        ("peak RSS MB", str(r["peak_rss_mb"])),
    ]  # fmt: skip
    for size, row in r.get("scaling", {}).items():
        rows.append((f"scaling {size} ({row['words']} words)",
                     f"{row['total_cpu_seconds_per_article']} CPU s/article = "
                     f"{row['cost_vs_1x']}x the 1x cost"))  # fmt: skip
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--rate", type=int, default=20)
    parser.add_argument("--enrich-workers", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--scaling", action="store_true", help="also 1x/10x/100x median size")
    parser.add_argument("--bootstrap")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = run(args)
    print(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
