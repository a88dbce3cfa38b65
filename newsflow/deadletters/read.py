"""Reading the dead-letter topic, selecting letters and summarising them."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import structlog
from pydantic import ValidationError

from newsflow.client import consume_records
from newsflow.schemas import DeadLetter
from newsflow.settings import Settings

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Letter:
    """A dead letter and where it is itself stored (on the dead-letter topic)."""

    topic: str
    partition: int
    offset: int
    dead_letter: DeadLetter

    @property
    def key(self) -> str:
        """Its key in the replay log."""
        return f"{self.topic}:{self.partition}:{self.offset}"


async def read_dead_letters(settings: Settings, *, idle: float, timeout: float) -> list[Letter]:
    """Every dead letter on the topic (until none arrived for ``idle`` seconds), each with its
    own coordinates."""
    letters = []
    records = consume_records(settings, settings.topics.deadletter, from_beginning=True,
                              timeout=timeout, idle=idle)  # fmt: skip
    async with contextlib.aclosing(records):
        async for r in records:
            if r.value is None:
                continue
            try:
                dl = DeadLetter.model_validate_json(r.value)
            except ValidationError as exc:
                log.warning("unreadable_dead_letter", partition=r.partition, offset=r.offset,
                            error=str(exc))  # fmt: skip
                continue
            letters.append(Letter(r.topic, r.partition, r.offset, dl))
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
