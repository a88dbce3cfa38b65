"""Dead letters as an operator meets them: summarised, then replayed after a fix, once."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from newsflow.client import consume_records
from newsflow.kafka import client_options, ensure_topics
from newsflow.schemas import DeadLetter, EnrichedArticle
from newsflow.settings import Settings
from tests.integration.conftest import Pipeline

pytestmark = pytest.mark.integration


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "newsflow", *args], env=env,
                          capture_output=True, timeout=180, check=False)  # fmt: skip


def _said(result: subprocess.CompletedProcess[bytes]) -> str:
    """stderr with rich's line wrapping undone."""
    return " ".join(result.stderr.decode().split())


def _own_replay_log(pipeline: Pipeline) -> str:
    """A replay log of the test's own (the shared fixture names the other four topics)."""
    name = pipeline.settings.topics.raw.replace("raw-", "replayed-")
    pipeline.env = {**pipeline.env, "NEWSFLOW_TOPICS__REPLAYED": name}
    topics = pipeline.settings.topics.model_copy(update={"replayed": name})
    pipeline.settings = pipeline.settings.model_copy(update={"topics": topics})
    return name


def _read(settings: Settings, topic: str, idle: float = 3.0) -> list[tuple[bytes | None, bytes]]:
    """Every (key, value) on ``topic``, until nothing new came for ``idle`` seconds."""

    async def run() -> list[tuple[bytes | None, bytes]]:
        records = consume_records(settings, topic, from_beginning=True, timeout=60, idle=idle)
        async with contextlib.aclosing(records):
            return [(r.key, r.value) async for r in records]

    return asyncio.run(run())


def _send(settings: Settings, topic: str, values: list[bytes]) -> list[tuple[int, int]]:
    """Publish ``values`` (key b"k"): the (partition, offset) of each."""

    async def run() -> list[tuple[int, int]]:
        producer = AIOKafkaProducer(**client_options(settings), acks="all",
                                    max_request_size=settings.limits.max_message_bytes)  # fmt: skip
        await producer.start()
        try:
            acks = [await (await producer.send(topic, key=b"k", value=v)) for v in values]
            return [(a.partition, a.offset) for a in acks]
        finally:
            await producer.stop()

    return asyncio.run(run())


def test_summarise_then_replay_after_a_fix(pipeline: Pipeline, samples: Path) -> None:
    _own_replay_log(pipeline)
    story = (samples / "rotterdam-dock-strike.txt").read_bytes()
    strict = {**pipeline.env, "NEWSFLOW_LIMITS__MAX_PARAGRAPHS": "2"}  # the story has more
    pipeline.env, relaxed = strict, pipeline.env
    pipeline.start_worker("all")
    pipeline.produce([story, b"[1]", b"[2]"])
    letters = [
        DeadLetter.model_validate_json(v)
        for v in pipeline.collect(pipeline.settings.topics.deadletter, 3)
    ]
    assert sorted(dl.error_code for dl in letters) == [
        "json_not_object",
        "json_not_object",
        "too_large",
    ]
    assert pipeline.stop_all() == [0]

    summary = _cli(relaxed, "deadletters", "--idle", "2")
    assert summary.returncode == 0, summary.stderr
    out = summary.stdout.decode()
    assert "3 dead letter(s)" in out
    assert "too_large" in out
    assert "json_not_object" in out
    listed = _cli(relaxed, "deadletters", "--json", "--idle", "2")
    assert sorted(orjson.loads(line)["error_code"] for line in listed.stdout.splitlines()) == [
        "json_not_object", "json_not_object", "too_large"
    ]  # fmt: skip

    assert _cli(relaxed, "replay").returncode == 2  # refuses to guess what to replay
    dry = _cli(relaxed, "replay", "--code", "too_large", "--dry-run", "--idle", "2")
    assert dry.returncode == 0, dry.stderr
    assert "would replay 1 dead letter(s)" in _said(dry)
    nothing = _cli(relaxed, "replay", "--code", "binary_content", "--idle", "2")
    assert nothing.returncode == 1  # a known code no letter has: an empty selection
    assert "no dead letter" in _said(nothing)
    unknown = _cli(relaxed, "replay", "--code", "no_such_code", "--idle", "2")
    assert unknown.returncode == 2  # a code that does not exist: a mistake, named
    assert "unknown error code no_such_code" in unknown.stderr.decode()

    pipeline.env = relaxed  # the fix: the default limits
    pipeline.start_worker("all")
    done = _cli(relaxed, "replay", "--code", "too_large", "--idle", "2")
    assert done.returncode == 0, done.stderr
    assert "replayed 1 dead letter(s)" in _said(done)
    enriched = pipeline.collect(pipeline.settings.topics.enriched, 1)
    assert len(enriched) == 1, pipeline.logs()
    assert EnrichedArticle.model_validate_json(enriched[0]).title.startswith(
        "Rotterdam dock workers"
    )
    assert pipeline.stop_all() == [0, 0]


def test_replaying_twice_publishes_once(pipeline: Pipeline, samples: Path) -> None:
    """No workers: the dead letters are written by hand, and what replay publishes stays on
    the raw topic to be counted. One whole letter, one truncated (its original read back and
    checked), one truncated whose original does not match, one naming another topic."""
    replayed = _own_replay_log(pipeline)
    settings, env, raw = pipeline.settings, pipeline.env, pipeline.settings.topics.raw
    asyncio.run(ensure_topics(settings))
    story = (samples / "rotterdam-dock-strike.txt").read_bytes()
    big = (samples / "venice-flood-barrier.html").read_bytes() * 20  # ~54 kB
    other = (samples / "wire-envelopes.jsonl").read_bytes().splitlines()[0]
    changed = big[:-1] + b"!"  # same size, another sha256
    (p1, o1), (p2, o2), (p3, o3) = _send(settings, raw, [story, big, changed])

    def letter(code: str, value: bytes, partition: int, offset: int, **more: object) -> bytes:
        truncated = len(value) > 10_000
        dl = DeadLetter(stage="ingest", error_code=code, reason="test", original_key=b"k",
                        original=value[:1000] if truncated else value, original_truncated=truncated,
                        original_size=len(value), original_sha256=hashlib.sha256(value).hexdigest(),
                        source_topic=raw, source_partition=partition, source_offset=offset,
                        failed_at=datetime.now(UTC))  # fmt: skip
        return dl.model_copy(update=more).model_dump_json().encode()

    letters = [
        letter("too_large", story, p1, o1),
        letter("too_large", big, p2, o2),
        letter("timeout", big, p3, o3),  # the record there is ``changed``
        letter("no_text", other, 0, 0, source_topic="billing.payments"),  # forged
    ]
    dead = _send(settings, settings.topics.deadletter, letters)
    keys = [f"{settings.topics.deadletter}:{p}:{o}" for p, o in dead]

    first = _cli(env, "replay", "--code", "too_large", "--idle", "2")
    assert first.returncode == 0, first.stderr
    assert "replayed 2 dead letter(s); skipped 0 already replayed; 0 not sent" in _said(first)
    second = _cli(env, "replay", "--code", "too_large", "--idle", "2")
    assert second.returncode == 0, second.stderr
    assert "replayed 0 dead letter(s); skipped 2 already replayed; 0 not sent" in _said(second)
    assert second.stdout.count(b"already replayed") == 2

    copies = Counter(v for _, v in _read(settings, raw))
    assert (copies[story], copies[big]) == (2, 2)  # the original and one replay each
    log = {k.decode(): orjson.loads(v) for k, v in _read(settings, replayed) if k}
    assert set(log) == set(keys[:2])
    for key in keys[:2]:
        assert log[key]["to_topic"] == raw
        assert (log[key]["error_code"], log[key]["stage"]) == ("too_large", "ingest")
        assert set(log[key]) == {"replayed_at", "to_topic", "to_partition", "to_offset",
                                 "error_code", "stage"}  # fmt: skip

    refused = _cli(env, "replay", "--code", "timeout", "--idle", "2")
    assert refused.returncode == 1
    assert "not sent" in refused.stdout.decode()
    assert "original's sha256 differs" in refused.stdout.decode()
    forged = _cli(env, "replay", "--code", "no_text", "--idle", "2")
    assert forged.returncode == 0, forged.stderr
    assert "suspicious" in _said(forged) and "billing.payments" in _said(forged)
    again = _cli(env, "replay", "--code", "too_large", "--again", "--idle", "2")
    assert "replayed 2 dead letter(s)" in _said(again)

    copies = Counter(v for _, v in _read(settings, raw))
    assert (copies[story], copies[big], copies[changed], copies[other]) == (3, 3, 1, 1)
    assert len(_read(settings, replayed)) == 5  # two, one forged, two again (before compaction)
