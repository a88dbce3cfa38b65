"""The replay log (``topics.replayed``, compacted): one record per replayed dead letter, keyed
by the dead letter's own coordinates ``<topic>:<partition>:<offset>``."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import structlog
from pydantic import BaseModel, ConfigDict, ValidationError

from newsflow.client import consume_records
from newsflow.deadletters.read import Letter
from newsflow.settings import Settings

log = structlog.get_logger(__name__)


class ReplayRecord(BaseModel):
    """One replayed dead letter, as recorded on ``topics.replayed``."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    replayed_at: datetime
    to_topic: str
    to_partition: int
    to_offset: int
    error_code: str
    stage: str


async def read_replay_log(
    settings: Settings, *, idle: float, timeout: float
) -> dict[str, ReplayRecord]:
    """What was replayed, by dead letter key: the latest record of each key wins (as after
    compaction), and a tombstone (a record without value) forgets the key."""
    done: dict[str, ReplayRecord] = {}
    records = consume_records(settings, settings.topics.replayed, from_beginning=True,
                              timeout=timeout, idle=idle)  # fmt: skip
    async with contextlib.aclosing(records):
        async for r in records:
            if r.key is None:
                continue
            key = r.key.decode("utf-8", "replace")
            if r.value is None:
                done.pop(key, None)
                continue
            try:
                done[key] = ReplayRecord.model_validate_json(r.value)
            except ValidationError as exc:
                log.warning("unreadable_replay_record", key=key, error=str(exc))
    return done


def already_replayed(letter: Letter, done: dict[str, ReplayRecord]) -> str | None:
    """Why the letter is skipped (when and where it went), or None if it was never replayed."""
    record = done.get(letter.key)
    if record is None:
        return None
    when = record.replayed_at.astimezone(UTC).isoformat(timespec="seconds")
    return (f"already replayed {when} to {record.to_topic}:{record.to_partition}:"
            f"{record.to_offset} (--again sends it anyway)")  # fmt: skip


def log_entry(letter: Letter, when: datetime, topic: str, partition: int, offset: int) -> bytes:
    """The replay log's record of ``letter``, sent at ``when`` to ``topic:partition:offset``."""
    dl = letter.dead_letter
    record = ReplayRecord(replayed_at=when, to_topic=topic, to_partition=partition,
                          to_offset=offset, error_code=dl.error_code, stage=dl.stage)  # fmt: skip
    return record.model_dump_json().encode()
