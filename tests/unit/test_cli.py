"""The CLI in-process (no broker needed): process, help, errors."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from newsflow.broker import free_port
from newsflow.cli import app
from newsflow.deadletters import Selector, summarise
from schemas import DeadLetter

runner = CliRunner()


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["broker"],
        ["worker"],
        ["produce"],
        ["consume"],
        ["process"],
        ["up"],
        ["schemas", "export"],
    ],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_kafka_commands_take_bootstrap() -> None:
    for command in ("worker", "produce", "consume"):
        assert "--bootstrap" in runner.invoke(app, [command, "--help"]).output


def test_process_prints_one_line_per_article_in_order(samples: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"source": "x"}\n[1]\n')
    files = [samples / "rotterdam-dock-strike.txt", bad, samples / "wire-envelopes.jsonl"]
    result = runner.invoke(app, ["process", *map(str, files)])
    assert result.exit_code == 1  # some failed; the rest were still processed
    out = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [a["title"] for a in out] == [
        "Rotterdam dock workers walk out over automation plans",
        "Kenya switches on solar mini-grids for 120 villages",
        "Norwegian rider wins Tour de France mountain stage in Pyrenees",
    ]
    assert all(a["entities"] and a["schema_version"] == 1 for a in out)
    errs = [orjson.loads(line) for line in result.stderr.splitlines()]
    assert [e["error_code"] for e in errs] == ["invalid_envelope", "json_not_object"]
    assert errs[0]["source_topic"].endswith("bad.jsonl:1")


def test_process_all_good_exits_zero(samples: Path) -> None:
    result = runner.invoke(app, ["process", str(samples / "venice-flood-barrier.html")])
    assert result.exit_code == 0, result.stderr
    assert orjson.loads(result.stdout)["authors"] == ["Luca Ferraro"]


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    for command in ("process", "produce"):
        result = runner.invoke(app, [command, str(tmp_path / "nope.txt")])
        assert result.exit_code != 0
        assert "no such file" in result.stderr


def test_unreachable_broker_is_a_clear_error(samples: Path) -> None:
    port = free_port()  # nothing listens there
    result = runner.invoke(
        app,
        ["produce", "--bootstrap", f"127.0.0.1:{port}", str(samples / "rotterdam-dock-strike.txt")],
    )
    assert result.exit_code == 1
    assert "cannot reach Kafka" in result.stderr


def test_schemas_are_current() -> None:
    result = runner.invoke(app, ["schemas", "export", "--check"])
    assert result.exit_code == 0, result.stderr


def test_replay_selector() -> None:
    def dl(code: str, stage: str, offset: int) -> DeadLetter:
        return DeadLetter(stage=stage, error_code=code, reason=f"r{offset}", original=b"x",  # type: ignore[arg-type]
                          source_topic="raw", source_partition=0, source_offset=offset,
                          failed_at=datetime(2025, 1, 1, offset, tzinfo=UTC))  # fmt: skip

    letters = [
        dl("too_large", "ingest", 1),
        dl("no_text", "ingest", 2),
        dl("enrich_failed", "enrich", 3),
    ]
    assert [d.source_offset for d in letters if Selector(codes=frozenset({"no_text"}))(d)] == [2]
    assert [d.source_offset for d in letters if Selector(stages=frozenset({"ingest"}))(d)] == [1, 2]
    assert [
        d.source_offset for d in letters if Selector(coordinates=frozenset({("raw", 0, 3)}))(d)
    ] == [3]
    assert len([d for d in letters if Selector()(d)]) == 3
    groups = summarise([*letters, dl("too_large", "ingest", 4)])
    assert (groups[0].error_code, groups[0].count, groups[0].example) == ("too_large", 2, "r1")


def test_replay_rejects_bad_coordinates() -> None:
    result = runner.invoke(app, ["replay", "--at", "raw-0-1"])
    assert result.exit_code == 2
    assert "TOPIC:PARTITION:OFFSET" in result.stderr
