"""Faults the pipeline must survive, through the real broker and real worker processes.
Each test asserts that nothing is lost and prints what it measured (`make test-faults`)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import signal
import subprocess
import time
from datetime import datetime
from pathlib import Path

import orjson
import pytest

from newsflow.broker import EmbeddedBroker
from newsflow.client import consume_records
from newsflow.corpus import corpus, costly, long_report
from newsflow.schemas import DeadLetter
from newsflow.services.errors import PoisonError
from newsflow.services.ingest.normalise import normalise_payload
from tests.integration.conftest import Pipeline, make_pipeline

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


def _sha(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def _outcomes(pipeline: Pipeline, inputs: dict[str, bytes], timeout: float = 300) -> dict[str, str]:
    """For each input: "enriched", or "dead letter <code> (<stage>)", read from the topics until
    every input has one (or ``timeout``)."""
    topics = pipeline.settings.topics
    ids: dict[str, str] = {}
    for name, payload in inputs.items():
        with contextlib.suppress(PoisonError):  # refused at ingest: found by its sha256
            ids[normalise_payload(payload, source_hint=topics.raw).article_id] = name
    by_sha = {_sha(payload): name for name, payload in inputs.items()}
    found: dict[str, str] = {}

    async def read(topic: str, seconds: float) -> None:
        """One pass over ``topic``, ending once it has been quiet for 2 s (no cancellation:
        a client cancelled while it connects is left open)."""
        records = consume_records(pipeline.settings, topic, from_beginning=True,
                                  timeout=seconds, idle=2.0)  # fmt: skip
        async with contextlib.aclosing(records):
            async for record in records:
                if topic == topics.enriched:
                    name = ids.get(orjson.loads(record.value)["article_id"])
                    outcome = "enriched"
                else:  # by its input's hash, or (enrich) the input's key: the article id
                    letter = DeadLetter.model_validate_json(record.value)
                    key = (letter.original_key or b"").decode("utf-8", "replace")
                    name = by_sha.get(letter.original_sha256 or "") or ids.get(key)
                    outcome = f"dead letter {letter.error_code} ({letter.stage})"
                if name is not None:
                    found[name] = outcome

    async def run() -> None:
        deadline = time.monotonic() + timeout
        while found.keys() < inputs.keys() and time.monotonic() < deadline:
            for topic in (topics.enriched, topics.deadletter):
                await read(topic, max(1.0, min(30.0, deadline - time.monotonic())))

    asyncio.run(run())
    return found


def test_costly_inputs_are_handled_and_the_stream_goes_on(pipeline: Pipeline) -> None:
    """The issue's black-box run: four costly but valid inputs, then 20 ordinary articles,
    through one `newsflow worker`: each costly input enriched or dead-lettered with its reason,
    every ordinary article enriched, and no worker restarted."""
    worker = pipeline.start_worker("all")
    heavy = costly()
    ordinary = corpus(20, start=7000)
    start = time.monotonic()
    pipeline.produce(list(heavy.values()))
    pipeline.produce(ordinary)
    seen, _ = pipeline.collect_ids(pipeline.settings.topics.enriched, _ids(pipeline, ordinary))
    t_ordinary = time.monotonic() - start
    found = _outcomes(pipeline, heavy)
    assert found.keys() == heavy.keys(), f"no outcome for {heavy.keys() - found.keys()}"
    assert _ids(pipeline, ordinary) <= seen.keys()
    assert worker.poll() is None
    assert "worker_crashed" not in pipeline.logs() and "agent_crashed" not in pipeline.logs()
    print(f"MEASURED 4 costly inputs then 20 ordinary: all 20 enriched {t_ordinary:.1f}s after "
          f"publishing; {'; '.join(f'{k}: {v}' for k, v in found.items())}; no restart")  # fmt: skip


def _in_progress(pipeline: Pipeline, service: str, crashes: int) -> bool:
    """Whether a worker of ``service`` has a message in progress that it knows has killed
    ``crashes`` workers before it (so a journal a killed worker left behind does not count)."""
    for path in (Path(pipeline.env["NEWSFLOW_DATA_DIR"]) / service).glob("journal-*.json"):
        with contextlib.suppress(ValueError, FileNotFoundError):
            state = orjson.loads(path.read_bytes())
            for key in state["inflight"]:
                if state["crashes"].get(key, 0) == crashes:
                    return True
    return False


def test_a_message_that_kills_its_worker_three_times_is_dead_lettered_crash_loop(
    pipeline: Pipeline,
) -> None:
    """kill -9 while one costly message is in progress, three times (as an OOM kill would):
    the next worker dead-letters it crash_loop without handling it, and the stream goes on."""
    pipeline.start_worker("ingest")
    enrich = pipeline.start_worker("enrich")
    pipeline.wait_ready(enrich)
    slow = long_report()
    pipeline.produce([slow])
    kills = []
    for crashes in range(3):
        deadline = time.monotonic() + 120
        while not _in_progress(pipeline, "enrich", crashes):
            assert time.monotonic() < deadline, f"never in progress\n{pipeline.logs()}"
            time.sleep(0.02)
        enrich.send_signal(signal.SIGKILL)
        enrich.wait()
        kills.append(time.monotonic())
        enrich = pipeline.start_worker("enrich")
    after = corpus(20, start=8000)
    pipeline.produce(after)
    found = _outcomes(pipeline, {"slow": slow}, timeout=180)
    assert found == {"slow": "dead letter crash_loop (enrich)"}, pipeline.logs()
    seen, _ = pipeline.collect_ids(pipeline.settings.topics.enriched, _ids(pipeline, after))
    assert _ids(pipeline, after) <= seen.keys()
    assert enrich.poll() is None
    print(f"MEASURED kill -9 during one message 3 times ({kills[-1] - kills[0]:.1f}s apart in "
          f"all): dead-lettered crash_loop by the 4th worker, 20 articles after it enriched")  # fmt: skip


def test_an_output_over_the_record_limit_is_dead_lettered_output_too_large(
    pipeline: Pipeline,
) -> None:
    """With 200 kB records (so 100 kB raw input), a 93 kB article naming 200 people 13 times
    each enriches to far more: it becomes an output_too_large dead letter (which fits), and the
    stream goes on."""
    pipeline.env = {**pipeline.env, "NEWSFLOW_LIMITS__MAX_MESSAGE_BYTES": "200000"}
    worker = pipeline.start_worker("all")
    first = ["Ana", "Kofi", "Yuki", "Lena", "Omar", "Rosa", "Ivan", "Mele", "Tariq", "Noor"]
    last = ["Lima", "Mensah", "Sato", "Berg", "Haddad", "Vidal", "Petrov", "Tui", "Aziz", "Oduya",
            "Kerr", "Moreau", "Silva", "Novak", "Quist", "Ruiz", "Fofana", "Jensen", "Okafor",
            "Park"]  # fmt: skip
    people = [f"{a} {b}" for a in first for b in last]
    # English sentences around the names: a list of names alone reads as Latin to the
    # language gate, which then (rightly) runs no English model on it
    lines = [f"{people[i % 200]} told reporters that {people[(i * 7 + 3) % 200]} would not "
             "attend the meeting." for i in range(1_300)]  # fmt: skip
    big = ("Two hundred delegates meet\n\n" + "\n\n".join(
        " ".join(lines[i : i + 20]) for i in range(0, len(lines), 20))).encode()  # fmt: skip
    ordinary = corpus(10, start=9000)
    pipeline.produce([big, *ordinary])
    found = _outcomes(pipeline, {"big": big}, timeout=180)
    assert found == {"big": "dead letter output_too_large (enrich)"}, pipeline.logs()
    seen, _ = pipeline.collect_ids(pipeline.settings.topics.enriched, _ids(pipeline, ordinary))
    assert _ids(pipeline, ordinary) <= seen.keys()
    assert worker.poll() is None
    print(
        f"MEASURED a {len(big):,}-byte article whose enriched form is over the 200,000-byte "
        "limit: dead-lettered output_too_large by enrich; 10 articles after it enriched"
    )


def test_a_refused_dead_letter_ends_the_worker_without_committing(pipeline: Pipeline) -> None:
    """The broker refuses every dead letter (injected): the ingest worker exits 75 at the
    first one instead of committing its offset; a healthy worker started after it finds the
    message still there and dead-letters it."""
    faulty = pipeline.start_worker("ingest", fault="refuse_deadletters")
    pipeline.start_worker("enrich")
    pipeline.wait_ready(faulty)
    good = corpus(10, start=9500)
    poison = b'{"source": "x", "content": 42}'
    start = time.monotonic()
    pipeline.produce([*good, poison])
    code = faulty.wait(120)
    took = time.monotonic() - start
    assert code == 75, pipeline.logs()
    assert "delivery_failed" in pipeline.logs()
    pipeline.start_worker("ingest")
    found = _outcomes(pipeline, {"poison": poison}, timeout=180)
    assert found == {"poison": "dead letter invalid_envelope (ingest)"}, pipeline.logs()
    seen, _ = pipeline.collect_ids(pipeline.settings.topics.enriched, _ids(pipeline, good))
    assert _ids(pipeline, good) <= seen.keys()
    print(
        f"MEASURED dead letters refused: ingest exited 75 {took:.1f}s after publishing, "
        "uncommitted; the next worker dead-lettered the message and enriched the rest"
    )


def test_an_agent_that_crashes_takes_its_process_down(pipeline: Pipeline) -> None:
    """An error escapes the stage loop (injected): the process exits 70 at once, no longer
    answering /readyz, and a restarted worker handles everything, that message included."""
    faulty = pipeline.start_worker("ingest", fault="crash_agent")
    pipeline.start_worker("enrich")
    pipeline.wait_ready(faulty)
    articles = [*corpus(5, start=9700), corpus(1, start=9705)[0] + b"\n\nCRASH-AGENT here."]
    start = time.monotonic()
    pipeline.produce(articles)
    code = faulty.wait(120)
    took = time.monotonic() - start
    assert code == 70, pipeline.logs()
    assert pipeline.web(faulty, "/readyz") is None
    assert "agent_crashed" in pipeline.logs()
    pipeline.start_worker("ingest")
    seen, _ = pipeline.collect_ids(pipeline.settings.topics.enriched, _ids(pipeline, articles))
    assert _ids(pipeline, articles) <= seen.keys()
    print(
        f"MEASURED agent crash: the worker exited 70 {took:.1f}s after publishing; after a "
        "restart all 6 articles were enriched"
    )


def test_a_stuck_message_ends_its_worker_and_the_supervisor_restarts_it(
    pipeline: Pipeline,
) -> None:
    """With NEWSFLOW_STUCK_SECONDS below what one long article takes, the watchdog ends the
    enrich worker (exit 71) on it each time; `worker --service all` restarts it with backoff,
    and the third death dead-letters the article crash_loop. The stream goes on."""
    pipeline.env = {**pipeline.env, "NEWSFLOW_STUCK_SECONDS": "0.5"}
    worker = pipeline.start_worker("all")
    slow = long_report()
    start = time.monotonic()
    pipeline.produce([slow])
    found = _outcomes(pipeline, {"slow": slow}, timeout=240)
    took = time.monotonic() - start
    assert found == {"slow": "dead letter crash_loop (enrich)"}, pipeline.logs()
    after = corpus(10, start=9800)
    pipeline.produce(after)
    seen, _ = pipeline.collect_ids(pipeline.settings.topics.enriched, _ids(pipeline, after))
    assert _ids(pipeline, after) <= seen.keys()
    logs = "".join(path.read_text() for _, path in pipeline.procs)
    assert logs.count('"worker_stuck"') == 3 and logs.count('"worker_crashed"') == 3
    assert worker.poll() is None
    print(
        f"MEASURED a message stuck past 0.5 s: the enrich worker ended (exit 71) and was "
        f"restarted 3 times, then the message was dead-lettered crash_loop, {took:.1f}s after "
        "publishing; 10 articles after it enriched"
    )
