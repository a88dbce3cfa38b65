"""Where a dead letter goes back to, and the whole original it sends there."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError, OffsetOutOfRangeError

from newsflow.client import CONNECT_TIMEOUT
from newsflow.deadletters.read import Letter
from newsflow.kafka import client_options, connect
from newsflow.schemas import DeadLetter, Stage
from newsflow.services.routing import STAGE_INPUT
from newsflow.settings import Settings

#: The topic (a field of Settings.topics) each stage reads: where its dead letters go back to.
FETCH_SECONDS = 10.0  # to read back one original of a truncated letter


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
