"""The NER and topic evaluations on small data written here (not the shared sets)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from newsflow.cli import app
from newsflow.evaluation import ner, topics

CONLL = """-DOCSTART- -X- O O

Hana NNP I-NP I-PER
Novak NNP I-NP I-PER
visited VBD I-VP O
Prague NNP I-NP I-LOC
with IN I-PP O
Skoda NNP I-NP I-ORG
Transportation NNP I-NP I-ORG
officials NNS I-NP O
. . O O

Novak NNP I-NP I-PER
spoke VBD I-VP O
to TO I-PP O
Czech JJ I-NP I-MISC
reporters NNS I-NP O
. . O O
"""


def test_conll_reading_and_spans(tmp_path: Path) -> None:
    path = tmp_path / "dev.txt"
    path.write_text(CONLL)
    (doc,) = ner.read_conll(path)
    assert len(doc) == 2
    assert list(ner.gold_spans(0, 0, doc[0])) == [
        (0, 0, 0, 2, "PER"),
        (0, 0, 3, 4, "LOC"),
        (0, 0, 5, 7, "ORG"),
    ]
    assert list(ner.gold_spans(0, 0, [("A", "I-PER"), ("B", "B-PER")])) == [
        (0, 0, 0, 1, "PER"),
        (0, 0, 1, 2, "PER"),
    ]


def test_scoring_counts_exact_span_and_type() -> None:
    gold = {(0, 0, 0, 2, "PER"), (0, 0, 3, 4, "LOC")}
    predicted = {(0, 0, 0, 2, "PER"), (0, 0, 3, 4, "ORG"), (0, 0, 5, 6, "MISC")}
    s = ner.score("x", gold, predicted, 1.0)
    assert s.overall == (1 / 3, 1 / 2, 0.4)
    assert s.per_type["PER"] == (1.0, 1.0, 1.0)
    assert s.per_type["LOC"][1] == 0.0


def test_eval_ner_runs_both_systems(tmp_path: Path) -> None:
    (tmp_path / "dev.txt").write_text(CONLL)
    ours, baseline = ner.evaluate(tmp_path)
    assert (ours.name, baseline.name) == ("newsflow", "en_core_web_sm (baseline)")
    assert ours.per_type["PER"][2] > 0  # Hana Novak and Novak are found
    result = CliRunner().invoke(app, ["eval", "ner", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "overall" in result.stdout


def test_eval_topics_maps_iptc_to_ag_news(tmp_path: Path) -> None:
    rows = [
        '"2","Striker scores twice as league leaders win","The team won the match and the coach praised the players."',
        '"3","Bank profits rise","Shares rose after the bank reported higher profit and revenue, investors said."',
        '"1","Troops withdraw","The army said soldiers and forces would leave after the ceasefire."',
    ]
    (tmp_path / "dev.csv").write_text("\n".join(rows) + "\n")
    score = topics.evaluate(tmp_path)
    assert score.rows == 3
    assert score.accuracy == 1.0
    assert topics.ag_class([]) is None
    assert topics.ag_class(["16000000"]) == 1
    result = CliRunner().invoke(app, ["eval", "topics", str(tmp_path)])
    assert result.exit_code == 0, result.output
