"""Crash-loop protection and the stuck watchdog, without a broker: a process death is
simulated by dropping a journal without clearing it (the fault tests kill real workers)."""

from __future__ import annotations

import json
from collections.abc import Awaitable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from newsflow.journal import CrashJournal
from newsflow.publish import at_once
from newsflow.schemas import DeadLetter
from newsflow.services.budget import Budget
from newsflow.services.limits import Limits
from newsflow.services.routing import Coordinates, Routed, published
from newsflow.stage import StageRunner
from newsflow.watchdog import Watchdog

A, B, C = (Coordinates("raw", 1, n) for n in (10, 11, 12))


def _died_during(directory: Path, messages: list[Coordinates]) -> None:
    journal = CrashJournal(directory, attempts=3)
    journal.begin(messages)
    journal.close()  # the process is gone; the kernel drops its lock, the file stays


def _events(coords: list[Coordinates]) -> list[Any]:
    return [
        SimpleNamespace(
            value=f"v{at.offset}".encode(),
            message=SimpleNamespace(key=None, topic=at.topic, partition=at.partition,
                                    offset=at.offset, headers=[], timestamp=None, tp=None),
            app=None,
        )
        for at in coords
    ]  # fmt: skip


async def _ok(batch: list[Routed]) -> Awaitable[list[BaseException | None]]:
    return at_once([None] * len(batch))


def _runner(journal: CrashJournal, handle: Any) -> StageRunner:
    return StageRunner("ingest", handle, _ok, Limits(), journal,
                       Watchdog("ingest", 60, on_stuck=lambda _r: None), batch_max_bytes=10**6,
                       trust_origin_header=False)  # fmt: skip


def test_a_death_counts_a_crash_for_every_message_in_progress(tmp_path: Path) -> None:
    _died_during(tmp_path, [A, B])
    journal = CrashJournal(tmp_path, attempts=3)
    assert (journal.crashed(A), journal.crashed(B), journal.crashed(C)) == (1, 1, 0)
    assert sorted(journal.died_during) == ["raw:1:10", "raw:1:11"]


async def test_suspects_are_handled_alone_and_forgotten_once_delivered(tmp_path: Path) -> None:
    _died_during(tmp_path, [A, B])
    journal = CrashJournal(tmp_path, attempts=3)
    in_progress: list[list[str]] = []

    def handle(value: bytes | None, key: Any, at: Coordinates, budget: Budget) -> Routed:
        in_progress.append(json.loads(journal.path.read_text())["inflight"])
        return published("normalized", f"id{at.offset}", value or b"", "NormalizedArticle/1")

    out = await _runner(journal, handle).process_batch(_events([A, B, C]))
    assert [r.destination for r in out] == ["normalized"] * 3
    assert [len(p) for p in in_progress] == [1, 1, 1]  # each alone in the journal
    assert journal.crashes == {}
    assert json.loads(journal.path.read_text()) == {"inflight": [], "crashes": {}}


async def test_a_message_that_killed_the_process_n_times_is_dead_lettered_unhandled(
    tmp_path: Path,
) -> None:
    for _ in range(3):
        _died_during(tmp_path, [B])
    journal = CrashJournal(tmp_path, attempts=3)
    handled: list[Coordinates] = []

    def handle(value: bytes | None, key: Any, at: Coordinates, budget: Budget) -> Routed:
        handled.append(at)
        return published("normalized", f"id{at.offset}", value or b"", "NormalizedArticle/1")

    out = await _runner(journal, handle).process_batch(_events([A, B, C]))
    assert handled == [A, C]
    letter = DeadLetter.model_validate_json(out[1].value)
    assert (letter.error_code, letter.original, letter.source_offset) == ("crash_loop", b"v11", 11)
    assert "3 times" in letter.reason
    assert journal.crashes == {}


def test_two_workers_sharing_a_data_dir_keep_separate_journals(tmp_path: Path) -> None:
    first, second = CrashJournal(tmp_path, attempts=3), CrashJournal(tmp_path, attempts=3)
    assert first.path != second.path
    first.begin([A])
    second.begin([B])
    first.close()
    assert CrashJournal(tmp_path, attempts=3).crashed(A) == 1  # takes the freed slot 0
    second.close()


def test_the_watchdog_ends_a_message_stuck_past_its_limit() -> None:
    now = [0.0]
    stuck: list[str] = []
    dog = Watchdog("enrich", 120, on_stuck=stuck.append, clock=lambda: now[0])
    dog.start(Coordinates("normalized", 2, 5))
    now[0] = 119.0
    dog.check()
    assert stuck == []
    now[0] = 121.0
    dog.check()
    assert stuck == ["enrich stuck 121 s on normalized:2:5"]
    dog.stop()
    now[0] = 1_000.0
    dog.check()
    assert len(stuck) == 1  # nothing in progress, nothing stuck
