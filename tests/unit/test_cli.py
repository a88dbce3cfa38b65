"""The CLI in-process (no broker needed): process, help, errors."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from newsflow import deadletters
from newsflow.broker import free_port
from newsflow.cli import app
from newsflow.deadletters import (
    Letter,
    Outcome,
    ReplayRecord,
    Selector,
    Target,
    already_replayed,
    check_original,
    replay_target,
    summarise,
)
from newsflow.schemas import DeadLetter
from newsflow.settings import Settings

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
        ["config"],
        ["deadletters"],
        ["replay"],
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
        return DeadLetter(stage=stage, error_code=code, reason=f"r{offset}", original=b"x",  # type: ignore[arg-type]  # test data: a literal where the model converts it
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


# --- replay: target, once-only, truncated letters (no broker: the Kafka parts are faked) ---

SETTINGS = Settings(topics={"raw": "in.raw", "normalized": "in.norm"})  # type: ignore[arg-type]  # test data: a literal where the model converts it
STORY = b'{"source": "wire", "content": "' + b"x" * 500 + b'"}'


def _letter(
    offset: int,
    *,
    stage: str = "ingest",
    code: str = "too_large",
    source_topic: str = "in.raw",
    original: bytes = STORY,
    truncated: bool = False,
    sha: str | None = None,
) -> Letter:
    dl = DeadLetter(
        stage=stage,  # type: ignore[arg-type]  # test data: a literal where the model converts it
        error_code=code,
        reason="r",
        original=original[:100] if truncated else original,
        original_size=len(original),
        original_sha256=sha or hashlib.sha256(original).hexdigest(),
        original_truncated=truncated,
        original_key=b"k",
        source_topic=source_topic,
        source_partition=2,
        source_offset=offset,
        failed_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    return Letter("dead", 0, 100 + offset, dl)


def test_replay_goes_to_the_failed_stage_input_never_where_a_letter_says() -> None:
    ingest = _letter(1).dead_letter
    assert replay_target(ingest, SETTINGS, None) == Target("in.raw")
    enrich = _letter(2, stage="enrich", source_topic="in.norm").dead_letter
    assert replay_target(enrich, SETTINGS, None) == Target("in.norm")
    forged = _letter(3, source_topic="billing.payments").dead_letter
    target = replay_target(forged, SETTINGS, None)
    assert target.topic == "in.raw"
    assert target.warning
    assert "suspicious" in target.warning and "billing.payments" in target.warning
    # only the operator's --to chooses another topic (short names resolve)
    assert replay_target(forged, SETTINGS, "normalized").topic == "in.norm"
    assert replay_target(ingest, SETTINGS, "elsewhere").topic == "elsewhere"


def _record(letter: Letter) -> ReplayRecord:
    return ReplayRecord(replayed_at=datetime(2025, 2, 3, 4, 5, 6, tzinfo=UTC), to_topic="in.raw",
                        to_partition=1, to_offset=42, error_code="too_large", stage="ingest")  # fmt: skip


async def _dry(
    monkeypatch: pytest.MonkeyPatch,
    letters: list[Letter],
    done: dict[str, ReplayRecord],
    fetched: dict[tuple[str, int, int], tuple[bytes | None, bytes] | str] | None = None,
    *,
    again: bool = False,
) -> dict[int, Outcome]:
    async def read_log(*_args: object, **_kwargs: object) -> dict[str, ReplayRecord]:
        return done

    asked: list[tuple[str, int, int]] = []

    async def fetch(topic: str, partition: int, offset: int) -> tuple[bytes | None, bytes] | str:
        asked.append((topic, partition, offset))
        return (fetched or {}).get((topic, partition, offset), "original not found")

    monkeypatch.setattr(deadletters, "read_replay_log", read_log)
    outcomes = await deadletters.replay(SETTINGS, letters, to=None, again=again, dry_run=True,
                                        fetch=fetch)  # fmt: skip
    assert all(topic == "in.raw" for topic, _, _ in asked)  # never a topic a letter names
    return {o.letter.dead_letter.source_offset: o for o in outcomes}


async def test_replay_skips_what_was_replayed_unless_again(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = _letter(1), _letter(2)
    done = {first.key: _record(first)}
    assert first.key == "dead:0:101"
    got = await _dry(monkeypatch, [first, second], done)
    assert (got[1].status, got[1].ok) == ("skipped", True)
    assert "2025-02-03T04:05:06+00:00" in got[1].detail and "in.raw:1:42" in got[1].detail
    assert got[2].status == "would send"
    again = await _dry(monkeypatch, [first, second], done, again=True)
    assert [again[1].status, again[2].status] == ["would send", "would send"]
    assert already_replayed(second, done) is None


async def test_truncated_letters_replay_the_whole_checked_original(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    whole, gone, changed = (_letter(n, truncated=True) for n in (1, 2, 3))
    no_hash = _letter(4, truncated=True)
    no_hash = Letter(no_hash.topic, no_hash.partition, no_hash.offset,
                     no_hash.dead_letter.model_copy(update={"original_sha256": None}))  # fmt: skip
    forged = _letter(5, truncated=True, source_topic="secrets")
    fetched: dict[tuple[str, int, int], tuple[bytes | None, bytes] | str] = {
        ("in.raw", 2, 1): (b"k", STORY),
        ("in.raw", 2, 2): "original is gone from in.raw:2:2 (retention)",
        ("in.raw", 2, 3): (b"k", STORY.replace(b"x", b"y")),
    }
    got = await _dry(monkeypatch, [whole, gone, changed, no_hash, forged], {}, fetched)
    assert got[1].status == "would send"
    assert got[1].detail == f"{len(STORY)} bytes"  # the whole original, not the 100-byte prefix
    assert (got[2].status, got[2].ok) == ("not sent", False)
    assert "retention" in got[2].detail
    assert got[3].status == "not sent"
    assert "sha256" in got[3].detail
    assert got[4].status == "not sent"
    assert "no original_sha256" in got[4].detail
    assert got[5].status == "not sent"  # fetched from in.raw, not from "secrets"
    assert got[5].warning


def test_check_original() -> None:
    dl = _letter(1).dead_letter
    assert check_original(dl, STORY) is None
    assert "bytes" in (check_original(dl, STORY + b" ") or "")
    assert "sha256" in (check_original(dl, STORY.replace(b"x", b"z")) or "")
    damaged = _letter(2, sha="0" * 64).dead_letter
    assert "sha256" in (check_original(damaged, damaged.original) or "")


def _fake_kafka(monkeypatch: pytest.MonkeyPatch, letters: list[Letter]) -> None:
    async def read(*_args: object, **_kwargs: object) -> list[Letter]:
        return letters

    async def read_log(*_args: object, **_kwargs: object) -> dict[str, ReplayRecord]:
        return {}

    monkeypatch.setattr(deadletters, "read_dead_letters", read)
    monkeypatch.setattr(deadletters, "read_replay_log", read_log)


def test_replay_with_an_empty_selection_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_kafka(monkeypatch, [_letter(1)])
    result = runner.invoke(app, ["replay", "--code", "no_text", "--stage", "ingest"])
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert "no dead letter" in said and "matches --code no_text --stage ingest" in said


def test_replay_reports_and_fails_on_what_cannot_be_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_TOPICS__RAW", "in.raw")
    _fake_kafka(monkeypatch, [_letter(1), _letter(2, sha="0" * 64), _letter(3, source_topic="x")])
    result = runner.invoke(app, ["replay", "--all", "--dry-run"])
    assert result.exit_code == 1, result.output
    said = " ".join(result.stderr.split())
    assert "would replay 2 dead letter(s); skipped 0 already replayed; 1 not sent" in said
    assert "letter is damaged" in result.stdout
    assert "warning: dead letter dead:0:103" in said and "suspicious" in said
    assert said.count("warning") == 1
    rows = [line.split("│")[1:3] for line in result.stdout.splitlines() if "dead:0:" in line]
    assert [(s.strip(), d.strip()) for s, d in rows] == [
        ("would send", "dead:0:101"), ("not sent", "dead:0:102"), ("would send", "dead:0:103")
    ]  # fmt: skip


def test_replay_refuses_bad_stage_and_target() -> None:
    assert runner.invoke(app, ["replay", "--stage", "publish"]).exit_code == 2
    for to in ("deadletter", "replayed", "articles.replayed"):
        result = runner.invoke(app, ["replay", "--all", "--to", to])
        assert result.exit_code == 2, to
