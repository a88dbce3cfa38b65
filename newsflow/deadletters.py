"""Reading, summarising and replaying dead letters (``newsflow deadletters`` / ``replay``)."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import structlog
from pydantic import ValidationError

from newsflow.client import consume, produce_records
from newsflow.settings import Settings
from schemas import DeadLetter

log = structlog.get_logger(__name__)


async def read_dead_letters(settings: Settings, *, idle: float, timeout: float) -> list[DeadLetter]:
    """Every dead letter on the topic (until none arrived for ``idle`` seconds)."""
    letters = []
    messages = consume(settings, settings.topics.deadletter, from_beginning=True, timeout=timeout,
                       idle=idle)  # fmt: skip
    async with contextlib.aclosing(messages):
        async for value in messages:
            try:
                letters.append(DeadLetter.model_validate_json(value))
            except ValidationError as exc:
                log.warning("unreadable_dead_letter", error=str(exc))
    return letters


@dataclass(frozen=True, slots=True)
class Selector:
    """Which dead letters to replay. Empty fields select everything."""

    codes: frozenset[str] = frozenset()
    stages: frozenset[str] = frozenset()
    coordinates: frozenset[tuple[str, int, int]] = frozenset()

    def __call__(self, dl: DeadLetter) -> bool:
        return (
            (not self.codes or dl.error_code in self.codes)
            and (not self.stages or dl.stage in self.stages)
            and (not self.coordinates
                 or (dl.source_topic, dl.source_partition, dl.source_offset) in self.coordinates)
        )  # fmt: skip


@dataclass
class Group:
    stage: str
    error_code: str
    count: int = 0
    first: datetime | None = None
    last: datetime | None = None
    example: str = ""
    sources: Counter[str] = field(default_factory=Counter)


def summarise(letters: Iterable[DeadLetter]) -> list[Group]:
    groups: dict[tuple[str, str], Group] = {}
    for dl in letters:
        g = groups.setdefault((dl.stage, dl.error_code), Group(dl.stage, dl.error_code))
        g.count += 1
        g.first = min(g.first, dl.failed_at) if g.first else dl.failed_at
        g.last = max(g.last, dl.failed_at) if g.last else dl.failed_at
        g.example = g.example or dl.reason
        g.sources[dl.source_topic] += 1
    return sorted(groups.values(), key=lambda g: (-g.count, g.stage, g.error_code))


def replay_target(dl: DeadLetter, settings: Settings, to: str | None) -> str:
    """Where a dead letter goes back to: the topic it failed on, unless told otherwise."""
    if to is None:
        return dl.source_topic
    return getattr(settings.topics, to, to) if to in type(settings.topics).model_fields else to


async def replay(settings: Settings, letters: list[DeadLetter], *, to: str | None) -> int:
    by_topic: dict[str, list[tuple[bytes | None, bytes]]] = {}
    for dl in letters:
        by_topic.setdefault(replay_target(dl, settings, to), []).append(
            (dl.original_key, dl.original)
        )
    sent = 0
    for topic, records in by_topic.items():
        sent += await produce_records(settings, topic, records)
        log.info("replayed", topic=topic, count=len(records))
    return sent
