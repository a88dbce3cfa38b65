"""Faults the pipeline must survive, through the real broker and real worker processes.
Each test asserts that nothing is lost and prints what it measured (`make test-faults`)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import datetime
from pathlib import Path

import orjson
import pytest

from newsflow.broker import EmbeddedBroker
from schemas import DeadLetter
from services.ingest.normalise import normalise_payload
from tests.integration.conftest import Pipeline, make_pipeline
from tests.integration.corpus import corpus

pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.timeout(600)]


def _ids(pipeline: Pipeline, payloads: list[bytes]) -> set[str]:
    """The ids the pipeline will give these bare-text articles (their source is the topic)."""
    return {
        normalise_payload(p, source_hint=pipeline.settings.topics.raw).article_id for p in payloads
    }


def _wait_for(pipeline: Pipeline, n: int) -> None:
    assert len(pipeline.collect(pipeline.settings.topics.enriched, n, timeout=180)) >= n, (
        pipeline.logs()
    )


def test_kill_9_mid_stream_then_restart_loses_nothing(pipeline: Pipeline) -> None:
    articles = corpus(500)
    expected = _ids(pipeline, articles)
    ingest, enrich = pipeline.start_worker("ingest"), pipeline.start_worker("enrich")
    pipeline.produce(articles)
    _wait_for(pipeline, 50)
    for proc in (ingest, enrich):
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    pipeline.start_worker("ingest")
    pipeline.start_worker("enrich")
    seen, _ = pipeline.collect_ids(pipeline.settings.topics.enriched, expected)
    assert expected <= seen.keys(), f"lost {len(expected - seen.keys())}\n{pipeline.logs()}"
    duplicates = sum(seen.values()) - len(expected)
    print(f"MEASURED kill -9 of ingest+enrich after 50 of 500: lost 0, duplicates {duplicates}")


def test_survivor_takes_over_when_one_of_two_workers_dies(pipeline: Pipeline) -> None:
    articles = corpus(500, start=1000)
    expected = _ids(pipeline, articles)
    pipeline.start_worker("ingest")
    victim, survivor = pipeline.start_worker("enrich"), pipeline.start_worker("enrich")
    pipeline.wait_ready(victim)
    pipeline.wait_ready(survivor)
    pipeline.produce(articles)
    _wait_for(pipeline, 100)
    victim.send_signal(signal.SIGKILL)
    killed_at = time.time()
    seen, written = pipeline.collect_ids(pipeline.settings.topics.enriched, expected)
    assert expected <= seen.keys(), f"lost {len(expected - seen.keys())}\n{pipeline.logs()}"
    after = sorted(t for t in written if t > killed_at)
    gaps = [b - a for a, b in zip([killed_at, *after], after, strict=False)]
    assert survivor.poll() is None
    takeover = _takeover_seconds(pipeline, survivor, killed_at)
    print(f"MEASURED failover (2 enrich workers, one kill -9'd after 100 of 500): lost 0, "
          f"duplicates {sum(seen.values()) - len(expected)}, survivor owned all 4 partitions "
          f"{takeover:.1f}s after the kill, longest pause in output {max(gaps):.1f}s")  # fmt: skip


def _takeover_seconds(
    pipeline: Pipeline, survivor: subprocess.Popen[bytes], killed_at: float
) -> float:
    """From the survivor's own log: when it was assigned every partition after the kill."""
    log = next(path for proc, path in pipeline.procs if proc is survivor)
    for line in log.read_text().splitlines():
        entry = orjson.loads(line) if line.startswith("{") else {}
        if entry.get("event") == "partitions_assigned" and len(entry["partitions"]) == 4:
            at = datetime.fromisoformat(entry["timestamp"]).timestamp()
            if at > killed_at:
                return at - killed_at
    raise AssertionError(f"the survivor never took all partitions:\n{pipeline.logs()}")


def test_broker_paused_20s_workers_recover_without_restart(
    own_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    pipeline = make_pipeline(own_broker.bootstrap, tmp_path)
    try:
        articles = corpus(300, start=2000)
        expected = _ids(pipeline, articles)
        workers = [pipeline.start_worker("ingest"), pipeline.start_worker("enrich")]
        for w in workers:
            pipeline.wait_ready(w)
        pipeline.produce(articles)
        _wait_for(pipeline, 30)
        assert own_broker.process is not None
        pid = own_broker.process.pid
        os.kill(pid, signal.SIGSTOP)
        paused_at = time.monotonic()
        try:
            not_ready = [pipeline.wait_ready(w, ready=False, timeout=20) for w in workers]
            time.sleep(max(0.0, 20 - (time.monotonic() - paused_at)))
        finally:
            os.kill(pid, signal.SIGCONT)
        ready_again = [pipeline.wait_ready(w, timeout=120) for w in workers]
        seen, _ = pipeline.collect_ids(pipeline.settings.topics.enriched, expected)
        assert expected <= seen.keys(), f"lost {len(expected - seen.keys())}\n{pipeline.logs()}"
        assert all(w.poll() is None for w in workers), "a worker exited"
        print(f"MEASURED broker SIGSTOP 20s mid-stream: lost 0, duplicates "
              f"{sum(seen.values()) - len(expected)}, not-ready after {max(not_ready):.1f}s, "
              f"ready again {max(ready_again):.1f}s after SIGCONT, no restarts")  # fmt: skip
        assert pipeline.stop_all() == [0, 0]
    finally:
        pipeline.stop_all()


def test_a_thousand_poison_messages_in_a_row(pipeline: Pipeline) -> None:
    worker = pipeline.start_worker("all")
    topics = pipeline.settings.topics
    warmup = corpus(20, start=3000)
    pipeline.produce(warmup)
    pipeline.collect_ids(topics.enriched, _ids(pipeline, warmup))

    valid_alone = corpus(100, start=4000)
    start = time.monotonic()
    pipeline.produce(valid_alone)
    pipeline.collect_ids(topics.enriched, _ids(pipeline, valid_alone))
    t_valid = time.monotonic() - start

    poison = [b'{"source": "x", "content": ' + str(i).encode() + b"}" for i in range(1000)]
    valid_after = corpus(100, start=5000)
    start = time.monotonic()
    pipeline.produce(poison + valid_after)
    dead = pipeline.collect(topics.deadletter, 1000, timeout=300)
    t_poison = time.monotonic() - start
    seen, _ = pipeline.collect_ids(topics.enriched, _ids(pipeline, valid_after))
    t_total = time.monotonic() - start
    assert len(dead) == 1000
    assert {DeadLetter.model_validate_json(v).error_code for v in dead} == {"invalid_envelope"}
    assert _ids(pipeline, valid_after) <= seen.keys()
    assert worker.poll() is None
    print(f"MEASURED 1000 poison then 100 valid: poison dead-lettered in {t_poison:.1f}s "
          f"({1000 / t_poison:.0f}/s); all done in {t_total:.1f}s; 100 valid alone took "
          f"{t_valid:.1f}s; overhead beyond dead-lettering {t_total - t_poison - t_valid:+.1f}s")  # fmt: skip


def test_sigterm_drains_commits_and_exits_zero(pipeline: Pipeline) -> None:
    articles = corpus(300, start=6000)
    expected = _ids(pipeline, articles)
    workers = [pipeline.start_worker("ingest"), pipeline.start_worker("enrich")]
    pipeline.produce(articles)
    _wait_for(pipeline, 30)
    start = time.monotonic()
    for w in workers:
        w.send_signal(signal.SIGTERM)
    codes = [w.wait(60) for w in workers]
    took = time.monotonic() - start
    assert codes == [0, 0], pipeline.logs()
    pipeline.start_worker("ingest")
    pipeline.start_worker("enrich")
    seen, _ = pipeline.collect_ids(pipeline.settings.topics.enriched, expected)
    assert expected <= seen.keys(), f"lost {len(expected - seen.keys())}\n{pipeline.logs()}"
    print(f"MEASURED SIGTERM mid-stream (300 articles): both workers exited 0 in {took:.1f}s, "
          f"lost 0, duplicates after restart {sum(seen.values()) - len(expected)}")  # fmt: skip


def test_shutdown_over_the_grace_period_is_cut_short(pipeline: Pipeline) -> None:
    pipeline.env = {**pipeline.env, "NEWSFLOW_SHUTDOWN_GRACE": "0.001"}
    worker = pipeline.start_worker("ingest")
    pipeline.wait_ready(worker)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(30) == 1  # the deadline fired before faust finished stopping
    assert "shutdown_grace_exceeded" in pipeline.logs()
