"""What the end-to-end benchmarks (e2e.py, costly.py) share: worker processes on topics of
their own and what they cost (peak RSS, CPU seconds), and measuring a run through Kafka
(producing at a rate, collecting outputs, throughput and latency)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from newsflow.broker import free_port
from newsflow.procs import worker_command
from newsflow.publish import ORIGIN_HEADER
from newsflow.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TOPICS = ("raw", "normalized", "enriched", "deadletter", "replayed")


def proc_stats(pid: int) -> tuple[float, float]:
    """(peak RSS in MB, CPU seconds) of a live process, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    hwm = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return hwm / 1024, (int(fields[11]) + int(fields[12])) / ticks


class Workers:
    """``newsflow worker`` processes on topics and a consumer group of their own (the app id
    ``<app_id>-<tag>``), each one's output in ``logdir/<name>.log``. A process named
    ``enrich-0`` runs the enrich stage."""

    def __init__(
        self,
        bootstrap: str,
        *,
        app_id: str,
        env: dict[str, str] | None = None,
        logdir: Path | None = None,
    ) -> None:
        tag = uuid.uuid4().hex[:6]
        topics = {name: f"{name}-{tag}" for name in TOPICS}
        self.settings = Settings(bootstrap_servers=bootstrap, topics=topics)
        self.env = {
            **os.environ,
            "NEWSFLOW_BOOTSTRAP_SERVERS": bootstrap,
            "NEWSFLOW_APP_ID": f"{app_id}-{tag}",
            **{f"NEWSFLOW_TOPICS__{k.upper()}": v for k, v in topics.items()},
            **(env or {}),
        }
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.logdir = logdir or Path(tempfile.mkdtemp(prefix="newsflow-bench-"))

    def start(self, names: Iterable[str]) -> None:
        for name in names:
            cmd = worker_command(name.split("-")[0], web_port=free_port())
            with (self.logdir / f"{name}.log").open("ab") as out:  # the child keeps its own copy
                self.procs[name] = subprocess.Popen(cmd, env=self.env, stdout=out,
                                                    stderr=subprocess.STDOUT, cwd=ROOT)  # fmt: skip

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(60)

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.procs.values())

    def cpu(self) -> dict[str, float]:
        return {name: proc_stats(p.pid)[1] for name, p in self.procs.items()}

    def peak_rss_mb(self) -> dict[str, float]:
        return {name: proc_stats(p.pid)[0] for name, p in self.procs.items()}


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    q = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": round(q[49], 3), "p95": round(q[94], 3), "p99": round(q[98], 3)}


async def produce(bootstrap: str, topic: str, payloads: list[bytes], rate: float | None) -> float:
    """Send ``payloads`` (at ``rate`` per second, or at once); returns when sending started."""
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


def steady_rate(records: list[Any]) -> float:
    """Messages per second between the first and the last output record (broker timestamps):
    the same measure for the pass-through and the pipeline, free of start-up and fetch waits."""
    stamps = sorted(r.timestamp for r in records)
    if len(stamps) < 2 or stamps[-1] == stamps[0]:
        return 0.0
    return (len(stamps) - 1) / ((stamps[-1] - stamps[0]) / 1000)


def latencies(records: list[Any]) -> list[float]:
    return [r.timestamp / 1000 - o for r in records if (o := _origin(r)) is not None]


async def pipeline_run(
    settings: Settings, payloads: list[bytes], rate: float | None
) -> dict[str, Any]:
    """Publish ``payloads`` to the raw topic and collect them enriched: throughput, latency."""
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
