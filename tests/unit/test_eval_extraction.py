"""The extraction evaluation: its scoring, and the command on a benchmark-shaped folder."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsflow.cli import app
from newsflow.evaluation.extraction import evaluate, page_counts, score


def test_identical_text_scores_one() -> None:
    text = "one two three four five six seven"
    assert page_counts(text, text) == (1.0, 0.0, 0.0)


def test_extra_and_missing_text() -> None:
    gold = "a b c d e f g h"
    tp, fp, fn = page_counts(gold, "a b c d e")  # 2 of 5 shingles found, nothing extra
    assert (tp, fp) == (pytest.approx(2 / 5), 0.0)
    assert fn == pytest.approx(3 / 5)
    s = score("x", [(tp, fp, fn)], 1.0)
    assert s.precision == 1.0
    assert s.recall == pytest.approx(0.4)


@pytest.fixture
def bench(tmp_path: Path, samples: Path) -> Path:
    html = (samples / "venice-flood-barrier.html").read_text()
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "p1.html.gz").write_bytes(gzip.compress(html.encode()))
    gold = (
        "Venice raised its mobile flood barrier on Tuesday for the tenth time since September, "
        "a record for the system, as a tide of 1.3 metres pushed in from the Adriatic Sea."
    )
    (tmp_path / "ground-truth.json").write_text(
        json.dumps({"p1": {"articleBody": gold, "url": None}})
    )
    return tmp_path


def test_evaluate_runs_both_extractors(bench: Path) -> None:
    ours, baseline = evaluate(bench)
    assert ours.name == "newsflow"
    assert "trafilatura" in baseline.name
    assert ours.recall == 1.0  # the gold paragraph is in the body
    assert 0 < ours.precision < 1  # and so is the rest of the article


def test_eval_command(bench: Path, tmp_path: Path) -> None:
    out = tmp_path / "scores.json"
    result = CliRunner().invoke(app, ["eval", "extraction", str(bench), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "trafilatura (baseline)" in result.stdout
    assert {s["name"] for s in json.loads(out.read_text())["scores"]} == {
        "newsflow",
        "trafilatura (baseline)",
    }
