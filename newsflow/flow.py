"""Memory bounded in bytes, not only in messages, between the broker and a stage.

faust bounds what a stage holds fetched but not yet handled by a count of messages
(``stream_buffer_maxsize``), and pauses partitions when it is reached. Messages range from a
few kilobytes to ``max_message_bytes`` (4 MB): a count small enough for a backlog of the
largest keeps the partitions pausing and resuming on ordinary ones, and each resume costs a
new fetch (0.1 s on the embedded broker: 1,000 small messages took 12.7 s with a buffer of 32
messages, 0.6 s with 4,096). So the count stays generous and the bytes are bounded here: the
consumer takes no new records while the stage holds more than ``buffer_bytes`` of them, and
the stage gives the bytes back once it has delivered their outputs. aiokafka's fetcher keeps
what it already fetched (at most ``fetch_max_bytes``), so taking again costs no round trip.

The window is per topic-partition, so records of a partition revoked in a rebalance (which
faust drops unhandled) are forgotten with it rather than held against the budget forever."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

Partition = tuple[str, int]


class ByteWindow:
    """Bytes taken from the consumer and not yet given back by the stage. All calls come from
    the worker's event loop (faust's ``getmany`` and the agent both run there)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held: dict[Partition, int] = {}
        self._room: asyncio.Event | None = None

    @property
    def total(self) -> int:
        return sum(self.held.values())

    def full(self) -> bool:
        return self.total >= self.limit

    def take(self, records: Mapping[Any, Sequence[Any]]) -> None:
        """Count the records one poll returned (``{topic_partition: [record, ...]}``)."""
        for tp, batch in records.items():
            size = sum(len(r.value or b"") for r in batch)
            if size:
                key = (tp.topic, tp.partition)
                self.held[key] = self.held.get(key, 0) + size

    def give_back(self, partition: Partition, size: int) -> None:
        left = self.held.get(partition, 0) - size
        if left > 0:
            self.held[partition] = left
        else:
            self.held.pop(partition, None)
        self._wake()

    def forget(self, partitions: Iterable[Any]) -> None:
        """Partitions revoked in a rebalance: their unhandled records are dropped by faust."""
        for tp in partitions:
            self.held.pop((tp.topic, tp.partition), None)
        self._wake()

    def _wake(self) -> None:
        if self._room is not None and not self.full():
            self._room.set()

    async def wait_for_room(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the stage to give bytes back; True if there is
        room now."""
        if not self.full():
            return True
        if self._room is None:
            self._room = asyncio.Event()
        self._room.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._room.wait(), timeout)
        return not self.full()
