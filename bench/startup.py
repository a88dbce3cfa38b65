"""Start to ready, phase by phase, for each way a worker runs: ``--service ingest``, ``--service
enrich`` and ``--service all`` (the default ``newsflow worker``: both stages as two processes).

Each start gets topics (created first, as a deployed Kafka has them) and a consumer group of its
own; one article is published as the worker is started, so "first" is the first message the
worker handles (for ``all``, the first enriched article). The phases come from the worker's own
``worker_ready`` log line (newsflow/startup.py): ``imports`` (process start to newsflow's worker
code, the interpreter and the imports), ``topics`` (checking or creating them), ``models``
(loading the stage's models, beside the join), ``join`` (the consumer starting to its partitions
assigned), and ``ready`` (process start to /readyz true). Times are from the process start; for
``all``, each stage's child has its own and ``ready``/``first`` count from the supervisor's.
The configurations alternate within each round, so a busy machine slows them alike.

Usage: python bench/startup.py [--runs 3] [--services ingest,enrich,all] [--bootstrap HOST:PORT]
       [--set NEWSFLOW_SESSION_TIMEOUT=10 ...] [--restart] [--json OUT]
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
from datetime import datetime
from pathlib import Path
from typing import Any

from enrich import plain_texts  # bench/enrich.py
from harness import Workers, produce  # bench/harness.py

from newsflow.broker import EmbeddedBroker
from newsflow.kafka import ensure_topics
from newsflow.services.ingest.normalise import normalise_payload

PHASES = ("imports", "topics", "models", "join", "ready")
#: The input topic of each configuration, and the stage whose first output ends the run.
INPUT = {"ingest": "raw", "enrich": "normalized", "all": "raw"}
LAST = {"ingest": "ingest", "enrich": "enrich", "all": "enrich"}


def log_events(log: Path) -> list[dict[str, Any]]:
    out = []
    for line in log.read_text(errors="replace").splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and "timestamp" in event:
            stamp = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00"))
            event["t"] = stamp.timestamp()
            out.append(event)
    return out


def _first_handled(events: list[dict[str, Any]], stage: str) -> float | None:
    return next((e["t"] for e in events if e.get("event") in ("published", "dead_lettered")
                 and e.get("stage") == stage), None)  # fmt: skip


def _done(events: list[dict[str, Any]], config: str) -> bool:
    """The last stage handled a message and every stage said it was ready."""
    ready = sum(1 for e in events if e.get("event") == "worker_ready")
    return _first_handled(events, LAST[config]) is not None and ready == (
        2 if config == "all" else 1
    )


def phases(events: list[dict[str, Any]], config: str, started: float) -> dict[str, Any]:
    """Seconds of each phase per stage (from its ``worker_ready`` line; of a stage run in
    several processes, the last ready), and from the start of the command to ready and to the
    first message handled."""
    out: dict[str, Any] = {}
    for event in events:
        if event.get("event") == "worker_ready":
            mine = {p: event.get(f"{p}_s") for p in PHASES}
            before = out.get(event["service"])
            if before is None or (mine.get("ready") or 0) >= (before.get("ready") or 0):
                out[event["service"]] = mine
    ready = [e["t"] for e in events if e.get("event") == "worker_ready"]
    first = _first_handled(events, LAST[config])
    out["command_to_ready"] = round(max(ready) - started, 2) if ready else None
    out["command_to_first"] = round(first - started, 2) if first else None
    return out


def one_start(
    workers: Workers, config: str, name: str, payload: bytes, timeout: float
) -> dict[str, Any]:
    """Start ``config`` as the process ``name``, publish one message, wait for it to be handled
    and every stage ready, then stop it (SIGTERM: it leaves its group)."""
    settings = workers.settings
    log = workers.logdir / f"{name}.log"
    try:
        started = time.time()
        workers.start([name])
        topic = getattr(settings.topics, INPUT[config])
        asyncio.run(produce(settings.bootstrap_servers, topic, [
            payload if config != "enrich" else normalise_payload(payload).model_dump_json().encode()
        ], None))  # fmt: skip
        deadline = time.time() + timeout
        while time.time() < deadline and not _done(log_events(log), config):
            time.sleep(0.1)
    finally:
        workers.stop()
    result = phases(log_events(log), config, started)
    if result["command_to_first"] is None or result["command_to_ready"] is None:
        raise SystemExit(f"error: {config}: not ready, or no message handled, within {timeout} s;"
                         f" see {log}")  # fmt: skip
    return result


def measure(
    bootstrap: str, config: str, payload: bytes, timeout: float, env: dict[str, str], *,
    restart: bool,
) -> dict[str, Any]:  # fmt: skip
    """A first start on new topics and a new group; with ``restart``, the start after it of
    the same group, whose previous member has just left."""
    workers = Workers(bootstrap, app_id=f"startup-{config}", env=env)
    asyncio.run(ensure_topics(workers.settings))
    result = one_start(workers, config, config, payload, timeout)
    if restart:
        result = one_start(workers, config, f"{config}-again", payload, timeout)
    return result


def _median(values: list[Any]) -> float | None:
    numbers = [v for v in values if isinstance(v, int | float)]
    return round(statistics.median(numbers), 2) if numbers else None


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over the runs of one configuration."""
    out: dict[str, Any] = {k: _median([r[k] for r in runs])
                           for k in ("command_to_ready", "command_to_first")}  # fmt: skip
    for stage in ("ingest", "enrich"):
        if any(stage in r for r in runs):
            out[stage] = {p: _median([r.get(stage, {}).get(p) for r in runs]) for p in PHASES}
    return out


def run(
    runs: int,
    configs: list[str],
    bootstrap: str | None,
    env: dict[str, str] | None = None,
    *,
    restart: bool = False,
    timeout: float = 120.0,
) -> dict[str, Any]:
    payload = plain_texts()[0]
    broker = None if bootstrap else EmbeddedBroker().start()
    address = bootstrap or broker.bootstrap  # type: ignore[union-attr]  # set when no --bootstrap
    raw: dict[str, list[dict[str, Any]]] = {c: [] for c in configs}
    try:
        for i in range(runs):
            order = configs if i % 2 == 0 else configs[::-1]
            for config in order:
                raw[config].append(measure(address, config, payload, timeout, env or {},
                                           restart=restart))  # fmt: skip
    finally:
        if broker:
            broker.stop()
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "runs": runs,
        "env": env or {},
        "restart": restart,
        "medians": {c: summarise(r) for c, r in raw.items()},
        "each": raw,
    }


def table(result: dict[str, Any]) -> list[str]:
    kind = "restarts of a group" if result["restart"] else "starts"
    rows = [
        f"machine: {result['machine']}; medians of {result['runs']} {kind}, seconds"
        + "".join(f"; {k}={v}" for k, v in result["env"].items())
    ]
    rows.append(f"{'worker':<16}" + "".join(f"{p:>9}" for p in PHASES) + f"{'first':>9}")
    for config, m in result["medians"].items():
        for stage in ("ingest", "enrich"):
            if stage in m:
                name = config if config == stage else f"{config}: {stage}"
                rows.append(f"{name:<16}" + "".join(f"{_fmt(m[stage][p]):>9}" for p in PHASES))
        command = f"{_fmt(m['command_to_ready']):>9}{_fmt(m['command_to_first']):>9}"
        rows.append(f"{config + ' (command)':<16}" + " " * 9 * (len(PHASES) - 1) + command)
    return rows


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--services", default="ingest,enrich,all")
    parser.add_argument("--bootstrap")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE",
        help="an environment variable for the workers (repeatable)",
    )  # fmt: skip
    parser.add_argument(
        "--restart", action="store_true",
        help="measure the second start of each group, after a clean stop",
    )  # fmt: skip
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    env = dict(item.split("=", 1) for item in args.set)
    result = run(args.runs, args.services.split(","), args.bootstrap, env, restart=args.restart)
    print("\n".join(table(result)))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
