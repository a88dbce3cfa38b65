"""Costly and large inputs through the real workers: what happens to each, and the memory a
backlog of the largest accepted messages takes.

1. The black-box run of the "stage never halts" issue: four costly but valid inputs (a large
   HTML page with no <title>, one 600,000-character paragraph, 20,000 caption lines, three
   names repeated 40,000 times), then 20 ordinary articles, through `newsflow worker` (ingest
   and enrich as two processes) on the embedded broker: the outcome of each costly input
   (enriched, or dead-lettered with its code), when the 20 ordinary ones were all enriched,
   and whether any worker restarted.
2. A backlog of the largest inputs the limits accept, published at once: --pages HTML pages of
   just under the raw limit (mostly markup, 120,000 characters of text) and --reports plain
   texts of 470,000 characters (near max_article_chars): peak RSS (VmHWM) of each worker
   process, against the worst case the settings allow (README, Guarantees).

Usage: python bench/costly.py [--pages 40] [--reports 40] [--json OUT]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import orjson
from harness import Workers  # bench/harness.py

from newsflow.broker import EmbeddedBroker
from newsflow.client import consume_records, produce
from newsflow.corpus import corpus, costly, long_report
from newsflow.services.errors import PoisonError
from newsflow.services.ingest.normalise import normalise_payload
from newsflow.settings import Settings


def big_page(n: int, raw_limit: int) -> bytes:
    """An HTML page just under the raw limit: 120,000 characters of article text in
    paragraphs, the rest inline script and styled navigation, as heavy pages are."""
    text = long_report(120_000).decode().split("\n\n")
    body = "".join(f"<p>{p}</p>" for p in text[1:])
    head = f"<html><head><title>Report {n}</title><style>{'.x{color:red}' * 2000}</style></head>"
    page = f"{head}<body><nav>{'<a href=/x class=menu>Menu</a>' * 200}</nav><article><h1>"
    page += f"Report {n}</h1>{body}</article>"
    filler = raw_limit - 2_000 - len(page.encode())
    return (page + f"<script>var d='{'x' * max(0, filler)}';</script></body></html>").encode()


async def outcomes(settings: Settings, inputs: dict[str, bytes], timeout: float) -> dict[str, str]:
    """Each input's outcome: "enriched" or "dead letter <code> (<stage>)"."""
    ids: dict[str, str] = {}
    for name, payload in inputs.items():
        with contextlib.suppress(PoisonError):
            ids[normalise_payload(payload, source_hint=settings.topics.raw).article_id] = name
    import hashlib  # noqa: PLC0415

    by_sha = {hashlib.sha256(p).hexdigest(): n for n, p in inputs.items()}
    found: dict[str, str] = {}

    async def read(topic: str, enriched: bool, seconds: float) -> None:
        """One pass over ``topic``, ending once it has been quiet for 2 s."""
        records = consume_records(settings, topic, from_beginning=True, timeout=seconds,
                                  idle=2.0)  # fmt: skip
        async with contextlib.aclosing(records):
            async for record in records:
                data = orjson.loads(record.value)
                if enriched:
                    name, outcome = ids.get(data["article_id"]), "enriched"
                else:
                    name = by_sha.get(data.get("original_sha256") or "") or ids.get(
                        data.get("article_id") or "")  # fmt: skip
                    outcome = f"dead letter {data['error_code']} ({data['stage']})"
                if name is not None:
                    found[name] = outcome

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while found.keys() < inputs.keys() and loop.time() < deadline:
        for topic, enriched in ((settings.topics.enriched, True),
                                (settings.topics.deadletter, False)):  # fmt: skip
            await read(topic, enriched, max(1.0, min(30.0, deadline - loop.time())))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--reports", type=int, default=40)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result: dict[str, object] = {"machine": f"{os.cpu_count()} cores, {platform.machine()}, "
                                            f"Python {platform.python_version()}"}  # fmt: skip
    with EmbeddedBroker() as broker, tempfile.TemporaryDirectory() as tmp:
        logs = Path(tmp) / "logs"
        logs.mkdir()
        env = {"NEWSFLOW_DATA_DIR": tmp, "NEWSFLOW_LOG_LEVEL": "WARNING"}
        workers = Workers(broker.bootstrap, app_id="b", env=env, logdir=logs)
        workers.start(["ingest", "enrich"])
        settings = workers.settings
        time.sleep(8)  # model load and group join
        heavy, ordinary = costly(), corpus(20, start=7000)
        start = time.monotonic()
        asyncio.run(produce(settings, settings.topics.raw, [*heavy.values(), *ordinary]))
        every = {**heavy, **{f"ordinary {i}": p for i, p in enumerate(ordinary)}}
        found = asyncio.run(outcomes(settings, every, timeout=600))
        took = time.monotonic() - start
        print(f"costly inputs, then 20 ordinary ({took:.1f} s until every input had an outcome):")
        for name in heavy:
            print(f"  {name:34} {found.get(name, 'NO OUTCOME')}")
        done = sum(found.get(f"ordinary {i}") == "enriched" for i in range(20))
        print(f"  ordinary articles enriched: {done} of 20; workers alive: {workers.alive()}")
        result["costly"] = {"outcomes": found, "seconds": took, "alive": workers.alive()}

        limits = settings.limits
        pages = [big_page(i, limits.max_raw_bytes) for i in range(args.pages)]
        reports = [long_report() + f"\n\nReport number {i}.".encode() for i in range(args.reports)]
        backlog = {f"page {i}": p for i, p in enumerate(pages)}
        backlog |= {f"report {i}": p for i, p in enumerate(reports)}
        before = workers.peak_rss_mb()
        start = time.monotonic()
        asyncio.run(produce(settings.model_copy(update={"limits": limits}), settings.topics.raw,
                            list(backlog.values())))  # fmt: skip
        found = asyncio.run(outcomes(settings, backlog, timeout=1200))
        took = time.monotonic() - start
        peaks = workers.peak_rss_mb()
        kinds: dict[str, int] = {}
        for outcome in found.values():
            kinds[outcome] = kinds.get(outcome, 0) + 1
        print(f"backlog of {len(pages)} pages of {len(pages[0]):,} bytes and {len(reports)} "
              f"reports of {len(reports[0]):,} bytes: {kinds} in {took:.1f} s")  # fmt: skip
        for service in peaks:
            print(
                f"  peak RSS {service}: {before[service]:.0f} MB before, {peaks[service]:.0f} "
                "MB after the backlog"
            )
        print(f"  workers alive: {workers.alive()}")
        result["backlog"] = {"outcomes": kinds, "seconds": took, "rss_before_mb": before,
                             "rss_peak_mb": peaks, "alive": workers.alive()}  # fmt: skip
        workers.stop()
    print(result["machine"])
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
