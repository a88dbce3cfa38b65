"""Dead letters as an operator meets them: summarised, then replayed after a fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from schemas import DeadLetter, EnrichedArticle
from tests.integration.conftest import Pipeline

pytestmark = pytest.mark.integration


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "newsflow", *args], env=env,
                          capture_output=True, timeout=180, check=False)  # fmt: skip


def test_summarise_then_replay_after_a_fix(pipeline: Pipeline, samples: Path) -> None:
    story = (samples / "rotterdam-dock-strike.txt").read_bytes()
    strict = {**pipeline.env, "NEWSFLOW_LIMITS__MAX_RAW_BYTES": "1500"}  # too small for the story
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
    assert dry.returncode == 0
    assert dry.stderr.count(b"would replay") == 1

    pipeline.env = relaxed  # the fix: the default size limit
    pipeline.start_worker("all")
    done = _cli(relaxed, "replay", "--code", "too_large", "--idle", "2")
    assert done.returncode == 0, done.stderr
    assert b"replayed 1 dead letter(s)" in done.stderr
    enriched = pipeline.collect(pipeline.settings.topics.enriched, 1)
    assert len(enriched) == 1, pipeline.logs()
    assert EnrichedArticle.model_validate_json(enriched[0]).title.startswith(
        "Rotterdam dock workers"
    )
    assert pipeline.stop_all() == [0, 0]
