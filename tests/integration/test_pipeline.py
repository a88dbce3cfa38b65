"""raw -> normalized -> enriched through a real broker and the real faust workers."""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import orjson
import pytest

from newsflow.client import produce
from newsflow.inputs import read_inputs
from newsflow.schemas import DeadLetter, EnrichedArticle, NormalizedArticle
from newsflow.services.ingest.normalise import normalise_payload
from newsflow.services.limits import Limits
from newsflow.showcase import sample_files
from tests.integration.conftest import Pipeline

pytestmark = pytest.mark.integration

BAD = {
    b"": "empty_input",
    b"\xff\xfe\x00garbage\x81": "not_utf8",
    b'{"source": "x", "content": ': "malformed_json",
    b"[1, 2, 3]": "json_not_object",
    b'{"source": "x"}': "invalid_envelope",
    b'{"schema_version": 7, "source": "x", "content": "hello"}': "unsupported_schema_version",
    b"Editor's Picks\n\nMost Read\n\nAdvertisement": "no_text",
    b"\x00\x01\x02PK\x03\x04 binary garbage \x05\x06": "binary_content",
    b'{"source": 5, "content": ["a", "b"], "received_at": "soon"}': "invalid_envelope",
    b"<html><body>" + b"<div>" * 100_000 + b"deep" + b"</div>" * 100_000: "html_too_deep",
    b"One line of three megabytes " + b"x" * 3_000_000: "too_large",
}


def _samples() -> list[bytes]:
    return [i.payload for i in read_inputs(sample_files(), source="it")]


def _rescrape(samples: Path) -> bytes:
    """The Rotterdam story again, scraped with other chrome and one word changed."""
    text = (samples / "rotterdam-dock-strike.txt").read_text()
    text = text.replace("Most Read", "Trending Now\n\nShare this article").replace(
        "Monday", "Monday,", 1
    )
    return ("Skip to main content\n\n" + text).encode()


def test_samples_flow_to_enriched_and_bad_input_to_dead_letters(
    pipeline: Pipeline, samples: Path
) -> None:
    pipeline.start_worker("all")
    stray = b"Stray controls\n\nA text from Lisbon with a NUL \x00 and a bell \x07, Ana Lima said."
    good = [*_samples(), _rescrape(samples), stray]
    assert pipeline.produce(good + list(BAD)[:-1]) == len(good) + len(BAD) - 1
    big = pipeline.settings.model_copy(update={"limits": Limits(max_message_bytes=8_000_000)})
    asyncio.run(produce(big, big.topics.raw, list(BAD)[-1:]))  # over the pipeline's 2 MB limit

    enriched = pipeline.collect(pipeline.settings.topics.enriched, len(good))
    assert len(enriched) == len(good), pipeline.logs()
    articles = [EnrichedArticle.model_validate_json(v) for v in enriched]
    titles = {a.title for a in articles}
    assert "Rotterdam dock workers walk out over automation plans" in titles
    rotterdam = [a for a in articles if a.title.startswith("Rotterdam")]
    assert len(rotterdam) == 2  # the re-scrape is published too, marked as a near-duplicate
    first, second = sorted(rotterdam, key=lambda a: a.duplicate_of is not None)
    assert (first.duplicate_of, second.duplicate_of) == (None, first.article_id)
    assert "Venice raises flood barrier for record tenth time this autumn" in titles
    (cleaned,) = [a for a in articles if a.title == "Stray controls"]
    assert cleaned.body[0].text == "A text from Lisbon with a NUL and a bell , Ana Lima said."
    for a in articles:
        assert a.entities, a.title
        assert a.topics, a.title
        assert {m.name for m in a.models} >= {
            "newsflow/ner",
            "newsflow/iptc-lexicon",
        }

    dead = pipeline.collect(pipeline.settings.topics.deadletter, len(BAD))
    letters = [DeadLetter.model_validate_json(v) for v in dead]
    expected = {(hashlib.sha256(value).hexdigest(), code) for value, code in BAD.items()}
    assert {(dl.original_sha256, dl.error_code) for dl in letters} == expected
    for dl in letters:  # whole, but for the one too large to carry whole in a dead letter
        original = next(v for v in BAD if hashlib.sha256(v).hexdigest() == dl.original_sha256)
        assert dl.original_size == len(original)
        assert dl.original == original or (
            dl.original_truncated and original.startswith(dl.original)
        )
    assert sum(dl.original_truncated for dl in letters) == 1
    assert all(
        dl.stage == "ingest" and dl.source_topic == pipeline.settings.topics.raw for dl in letters
    )
    assert pipeline.stop_all() == [0]


def test_stages_run_as_separate_workers_and_keys_are_article_ids(pipeline: Pipeline) -> None:
    pipeline.start_worker("ingest")
    pipeline.start_worker("enrich")
    payload = _samples()[0]
    pipeline.produce([payload, payload])  # the same article delivered twice

    normalized = pipeline.collect(pipeline.settings.topics.normalized, 2)
    enriched = pipeline.collect(pipeline.settings.topics.enriched, 2)
    assert len(enriched) == 2, pipeline.logs()
    ids = {NormalizedArticle.model_validate_json(v).article_id for v in normalized}
    assert len(ids) == 1
    assert {EnrichedArticle.model_validate_json(v).article_id for v in enriched} == ids
    assert pipeline.stop_all() == [0, 0]


def _ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:  # not listening yet, or 503 (urllib's HTTPError is an OSError)
        return False


def test_all_with_two_enrich_processes_shares_the_work(pipeline: Pipeline) -> None:
    """``NEWSFLOW_ENRICH_PROCESSES=2``: ``worker --service all`` starts ingest and two enrich
    processes, one consumer group: each enrich process handles some of the articles, and every
    article comes out once."""
    pipeline.env["NEWSFLOW_ENRICH_PROCESSES"] = "2"
    worker = pipeline.start_worker("all")
    base = pipeline.ports[worker.pid]
    deadline = time.monotonic() + 90
    for port in (base + 1, base + 2):  # both enrich processes in the group, partitions shared
        while not _ready(port):
            assert worker.poll() is None and time.monotonic() < deadline, pipeline.logs()
            time.sleep(0.2)
    payloads = [
        f"Harbour story {k}\n\nDock workers in Rotterdam met on day {k} of the strike, the FNV "
        f"union said, as ships waited in the North Sea.".encode()
        for k in range(40)
    ]  # 40 articles, 40 ids: each of the 4 partitions gets some
    assert pipeline.produce(payloads) == len(payloads)
    enriched = pipeline.collect(pipeline.settings.topics.enriched, len(payloads))
    assert len(enriched) == len(payloads), pipeline.logs()
    ids = {EnrichedArticle.model_validate_json(v).article_id for v in enriched}
    assert len(ids) == len(payloads)
    handled = []
    for port in (base + 1, base + 2):  # the two enrich processes' /metrics
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            text = response.read().decode()
        line = 'newsflow_messages_total{outcome="published",stage="enrich"} '
        handled.append(sum(float(row.split()[-1]) for row in text.splitlines()
                           if row.startswith(line)))  # fmt: skip
    assert sum(handled) >= len(payloads), handled  # at least once: a rebalance may repeat some
    assert min(handled) > 0, handled
    assert pipeline.stop_all() == [0]


def test_cli_produce_and_consume(pipeline: Pipeline, samples: Path) -> None:
    pipeline.start_worker("all")
    topics = pipeline.settings.topics
    env = pipeline.env
    files = [str(samples / "rotterdam-dock-strike.txt"), str(samples / "wire-envelopes.jsonl")]
    done = subprocess.run([sys.executable, "-m", "newsflow", "produce", *files],
                          env=env, capture_output=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert b"published 3 article(s)" in done.stderr
    out = subprocess.run(
        [sys.executable, "-m", "newsflow", "consume", "--topic", "enriched", "--from-beginning",
         "--max", "3", "--timeout", "120"],
        env=env, capture_output=True, timeout=180, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr.decode() + pipeline.logs()
    lines = out.stdout.decode().splitlines()
    assert len(lines) == 3
    assert {orjson.loads(line)["source"] for line in lines} == {
        "cli",
        "wire-east-africa",
        "sports-desk",
    }
    assert topics.enriched.startswith("enriched-")


def test_an_article_over_the_enrich_limits_is_dead_lettered_and_the_stream_goes_on(
    pipeline: Pipeline, samples: Path
) -> None:
    """The fault comes in as data, from another producer of the normalized topic: a valid
    NormalizedArticle with a 1.1-million-character paragraph (ingest would have split it) is
    refused before the model sees it, and the next article goes on."""
    pipeline.start_worker("enrich")
    good = normalise_payload((samples / "rotterdam-dock-strike.txt").read_bytes())
    poison = good.model_copy(update={"article_id": "f" * 32, "body": [
        good.body[0].model_copy(update={"text": "word " * 220_000 + "end"})]})  # fmt: skip
    topic = pipeline.settings.topics.normalized
    pipeline.produce(
        [poison.model_dump_json().encode(), good.model_dump_json().encode()], topic=topic
    )
    dead = [
        DeadLetter.model_validate_json(v)
        for v in pipeline.collect(pipeline.settings.topics.deadletter, 1)
    ]
    assert [(d.stage, d.error_code, d.article_id) for d in dead] == [
        ("enrich", "too_large", "f" * 32)
    ]
    assert "max_article_chars" in dead[0].reason
    enriched = pipeline.collect(pipeline.settings.topics.enriched, 1)
    assert EnrichedArticle.model_validate_json(enriched[0]).article_id == good.article_id
    assert pipeline.stop_all() == [0]
