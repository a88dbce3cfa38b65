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

The parts: ``read`` (reading, selecting and summarising dead letters), ``originals`` (where a
letter goes back to, and its whole original), ``log`` (the replay log). Here: the replay.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from newsflow.client import CONNECT_TIMEOUT
from newsflow.deadletters.log import ReplayRecord, already_replayed, log_entry, read_replay_log
from newsflow.deadletters.originals import (
    Fetch,
    Fetched,
    Originals,
    Target,
    check_original,
    payload_of,
    replay_target,
    stage_input,
)
from newsflow.deadletters.read import Group, Letter, Selector, read_dead_letters, summarise
from newsflow.kafka import client_options, connect, ensure_topics
from newsflow.progress import progress
from newsflow.settings import Settings

__all__ = [
    "Fetch",
    "Fetched",
    "Group",
    "Letter",
    "Originals",
    "Outcome",
    "ReplayRecord",
    "Selector",
    "Status",
    "Target",
    "already_replayed",
    "check_original",
    "payload_of",
    "read_dead_letters",
    "read_replay_log",
    "replay",
    "replay_target",
    "stage_input",
    "summarise",
]

log = structlog.get_logger(__name__)

Status = Literal["sent", "would send", "skipped", "not sent"]


@dataclass(frozen=True, slots=True)
class Outcome:
    letter: Letter
    status: Status
    to: str  # topic, and partition:offset once sent
    detail: str = ""
    warning: str | None = None
    ok: bool = True  # False: selected and not sent, or sent and not recorded


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
        for letter in progress(letters, "replay"):
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
        records = [
            (settings.topics.replayed, p.letter.key.encode(),
             log_entry(p.letter, now, ack.topic, ack.partition, ack.offset))
            for p, ack in zip(pending, acks, strict=True) if not isinstance(ack, KafkaError)
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
