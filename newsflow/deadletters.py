"""Reading, summarising and replaying dead letters (``newsflow deadletters`` / ``replay``).

Replay follows three rules:

* A dead letter goes back to its failed stage's own input topic (ingest: ``topics.raw``,
  enrich: ``topics.normalized``), or to the topic the operator named with ``--to``. A letter's
  own fields never choose a topic: one whose ``source_topic`` is not its stage's input is
  flagged as suspicious (a forged letter, or topics renamed since it was written).
* The same dead letter is replayed once: every replay is recorded on ``topics.replayed``
  (compacted), keyed by the dead letter's own coordinates ``<topic>:<partition>:<offset>``, and
  a later run skips what is recorded there, unless told to replay it again.
* A letter carrying only a prefix of its input (``original_truncated``) is replayed from the
  whole original, read back from the stage's input topic at the letter's partition and offset
  and checked against ``original_sha256``; when it is gone or differs, nothing is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError, OffsetOutOfRangeError
from pydantic import BaseModel, ConfigDict, ValidationError

from newsflow.client import CONNECT_TIMEOUT, consume_records
from newsflow.kafka import client_options, connect, ensure_topics
from newsflow.schemas import DeadLetter, Stage
from newsflow.settings import Settings

log = structlog.get_logger(__name__)

#: The topic (a field of Settings.topics) each stage reads: where its dead letters go back to.
STAGE_INPUT: dict[Stage, str] = {"ingest": "raw", "enrich": "normalized"}
FETCH_SECONDS = 10.0  # to read back one original of a truncated letter


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


class ReplayRecord(BaseModel):
    """One replayed dead letter, as recorded on ``topics.replayed``."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    replayed_at: datetime
    to_topic: str
    to_partition: int
    to_offset: int
    error_code: str
    stage: str


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


def stage_input(settings: Settings, stage: Stage) -> str:
    """The topic a stage reads."""
    return settings.topics.resolve(STAGE_INPUT[stage])


@dataclass(frozen=True, slots=True)
class Target:
    topic: str
    warning: str | None = None  # set when the letter names another source topic


def replay_target(dl: DeadLetter, settings: Settings, to: str | None) -> Target:
    """Where a dead letter goes back to: its stage's input topic, or ``to`` (the operator's
    choice). The letter's ``source_topic`` is only compared, never followed."""
    expected = stage_input(settings, dl.stage)
    warning = None
    if dl.source_topic != expected:
        warning = (f"suspicious: it names source_topic {dl.source_topic!r}, but the {dl.stage} "
                   f"stage reads {expected!r}; the letter's topic is ignored")  # fmt: skip
    return Target(expected if to is None else settings.topics.resolve(to), warning)


def already_replayed(letter: Letter, done: dict[str, ReplayRecord]) -> str | None:
    """Why the letter is skipped (when and where it went), or None if it was never replayed."""
    record = done.get(letter.key)
    if record is None:
        return None
    when = record.replayed_at.astimezone(UTC).isoformat(timespec="seconds")
    return (f"already replayed {when} to {record.to_topic}:{record.to_partition}:"
            f"{record.to_offset} (--again sends it anyway)")  # fmt: skip


def check_original(dl: DeadLetter, value: bytes) -> str | None:
    """Why ``value`` is not the letter's whole original (None when it is, or when the letter,
    from before hashes were kept, gives nothing to check it against)."""
    if dl.original_truncated and dl.original_sha256 is None:
        return "truncated, and no original_sha256 to check the original against"
    if dl.original_size is not None and len(value) != dl.original_size:
        return f"original is {len(value)} bytes, the letter says {dl.original_size}"
    if dl.original_sha256 is not None and hashlib.sha256(value).hexdigest() != dl.original_sha256:
        return "original's sha256 differs from the letter's original_sha256"
    return None


Fetched = tuple[bytes | None, bytes] | str  # (key, value) of the original, or why it is missing
Fetch = Callable[[str, int, int], Awaitable[Fetched]]


class Originals:
    """Reads single records back by coordinates, with one plain consumer (no group)."""

    def __init__(self, settings: Settings, timeout: float = FETCH_SECONDS) -> None:
        self.settings = settings
        self.timeout = timeout
        self.consumer: AIOKafkaConsumer | None = None

    async def __call__(self, topic: str, partition: int, offset: int) -> Fetched:
        if self.consumer is None:
            size = self.settings.limits.max_message_bytes + 65_536
            consumer = AIOKafkaConsumer(
                **client_options(self.settings), group_id=None, enable_auto_commit=False,
                auto_offset_reset="none", max_partition_fetch_bytes=size, fetch_max_bytes=size,
            )  # fmt: skip
            await connect(consumer, self.settings, timeout=CONNECT_TIMEOUT, close=consumer.stop)
            self.consumer = consumer
        tp = TopicPartition(topic, partition)
        self.consumer.assign([tp])
        self.consumer.seek(tp, offset)
        where = f"{topic}:{partition}:{offset}"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        while (left := deadline - loop.time()) > 0:
            try:
                batches = await self.consumer.getmany(tp, timeout_ms=int(min(left, 1.0) * 1000))
            except OffsetOutOfRangeError:
                return f"original is gone from {where} (retention)"
            except KafkaError as exc:
                return f"cannot read the original at {where}: {exc}"
            for record in batches.get(tp, []):
                if record.offset != offset:  # deleted or compacted away: the next one came
                    return f"original is gone from {where} (retention or compaction)"
                if record.value is None:
                    return f"original at {where} is a tombstone"
                return record.key, record.value
        return f"original not found at {where} within {self.timeout:.0f}s (gone, or no such record)"

    async def close(self) -> None:
        if self.consumer is not None:
            await self.consumer.stop()
            self.consumer = None


Status = Literal["sent", "would send", "skipped", "not sent"]


@dataclass(frozen=True, slots=True)
class Outcome:
    letter: Letter
    status: Status
    to: str  # topic, and partition:offset once sent
    detail: str = ""
    warning: str | None = None
    ok: bool = True  # False: selected and not sent, or sent and not recorded


async def payload_of(letter: Letter, settings: Settings, fetch: Fetch) -> Fetched:
    """The whole original (key, value) to replay, or why it cannot be."""
    dl = letter.dead_letter
    if not dl.original_truncated:
        problem = check_original(dl, dl.original)
        return f"letter is damaged: {problem}" if problem else (dl.original_key, dl.original)
    if dl.original_sha256 is None:
        return "truncated, and no original_sha256 to check the original against"
    # From the stage's input topic, at the letter's coordinates: never from a topic it names.
    got = await fetch(stage_input(settings, dl.stage), dl.source_partition, dl.source_offset)
    if isinstance(got, str):
        return f"truncated; {got}"
    problem = check_original(dl, got[1])
    return f"truncated; {problem}" if problem else got


@dataclass(frozen=True, slots=True)
class Pending:
    letter: Letter
    target: Target
    key: bytes | None
    value: bytes


async def replay(
    settings: Settings,
    letters: list[Letter],
    *,
    to: str | None,
    again: bool = False,
    dry_run: bool = False,
    idle: float = 3.0,
    timeout: float = 300.0,
    fetch: Fetch | None = None,
) -> list[Outcome]:
    """Send the selected letters' originals back (see the module's rules) and record each on
    the replay log. Returns one outcome per letter, in the letters' order."""
    done = await read_replay_log(settings, idle=idle, timeout=timeout)
    originals = Originals(settings)
    outcomes: list[Outcome] = []
    pending: list[Pending] = []
    try:
        for letter in letters:
            target = replay_target(letter.dead_letter, settings, to)
            skip = None if again else already_replayed(letter, done)
            if skip is not None:
                outcomes.append(Outcome(letter, "skipped", target.topic, skip, target.warning))
                continue
            got = await payload_of(letter, settings, fetch or originals)
            if isinstance(got, str):
                outcomes.append(Outcome(letter, "not sent", target.topic, got, target.warning,
                                        ok=False))  # fmt: skip
            else:
                pending.append(Pending(letter, target, *got))
    finally:
        await originals.close()
    if dry_run:
        outcomes += [Outcome(p.letter, "would send", p.target.topic, f"{len(p.value)} bytes",
                             p.target.warning) for p in pending]  # fmt: skip
    elif pending:
        outcomes += await _send(settings, pending)
    order = {letter.key: i for i, letter in enumerate(letters)}
    return sorted(outcomes, key=lambda o: order[o.letter.key])


async def _send(settings: Settings, pending: list[Pending]) -> list[Outcome]:
    """Send the originals; then record each acknowledged one on the replay log."""
    if settings.create_topics:
        await ensure_topics(settings)  # the replay log, where no worker has created it yet
    producer = AIOKafkaProducer(
        **client_options(settings), acks="all", linger_ms=5,
        max_request_size=settings.limits.max_message_bytes,
    )  # fmt: skip
    await connect(producer, settings, timeout=CONNECT_TIMEOUT, close=producer.stop)
    try:
        acks = await _deliver(producer, [(p.target.topic, p.key, p.value) for p in pending])
        now = datetime.now(UTC)
        sent = [(p, ack) for p, ack in zip(pending, acks, strict=True)
                if not isinstance(ack, KafkaError)]  # fmt: skip
        records = [
            (settings.topics.replayed, p.letter.key.encode(),
             ReplayRecord(replayed_at=now, to_topic=ack.topic, to_partition=ack.partition,
                          to_offset=ack.offset, error_code=p.letter.dead_letter.error_code,
                          stage=p.letter.dead_letter.stage).model_dump_json().encode())
            for p, ack in sent
        ]  # fmt: skip
        logged = iter(await _deliver(producer, records))
    finally:
        await producer.stop()
    outcomes = []
    for p, ack in zip(pending, acks, strict=True):
        if isinstance(ack, KafkaError):
            outcomes.append(Outcome(p.letter, "not sent", p.target.topic,
                                    f"send failed: {type(ack).__name__}: {ack}", p.target.warning,
                                    ok=False))  # fmt: skip
            continue
        where = f"{ack.topic}:{ack.partition}:{ack.offset}"
        record = next(logged)
        problem = (f"NOT recorded on {settings.topics.replayed} ({type(record).__name__}: "
                   f"{record}): a second run would send it again"
                   if isinstance(record, KafkaError) else "")  # fmt: skip
        outcomes.append(Outcome(p.letter, "sent", where, problem, p.target.warning,
                                ok=not problem))  # fmt: skip
        log.info("replayed", dead_letter=p.letter.key, to=where, recorded=not problem)
    return outcomes


async def _deliver(
    producer: AIOKafkaProducer, records: Sequence[tuple[str, bytes | None, bytes]]
) -> list[Any]:
    """Send every record and wait for all: each one's RecordMetadata, or its KafkaError."""
    sends: list[Any] = []
    for topic, key, value in records:
        try:
            sends.append(await producer.send(topic, key=key, value=value))
        except KafkaError as exc:  # refused before sending, e.g. over max_request_size
            sends.append(exc)

    async def ack(send: Any) -> Any:
        if isinstance(send, KafkaError):
            return send
        try:
            return await send
        except KafkaError as exc:
            return exc

    return list(await asyncio.gather(*(ack(s) for s in sends)))
