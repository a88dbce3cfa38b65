"""newsflow_consumer_lag refreshed from the broker on a timer (newsflow/stage.py
``refresh_lag``): the end offset minus the committed position, so the lag of a worker that
handles nothing still grows as input arrives."""

from __future__ import annotations

from faust.types import TP
from prometheus_client import REGISTRY

from newsflow.stage import refresh_lag


class _Consumer:
    """What ``refresh_lag`` reads of faust's consumer: its assignment, the broker's end
    offsets, and faust's record of the committed positions."""

    def __init__(self, ends: dict[TP, int], committed: dict[TP, int | None]) -> None:
        self.ends = ends
        self._committed_offset = committed

    def assignment(self) -> set[TP]:
        return set(self.ends)

    async def highwaters(self, *partitions: TP) -> dict[TP, int]:
        return {tp: self.ends[tp] for tp in partitions}


def _lag(topic: str, partition: int) -> float | None:
    return REGISTRY.get_sample_value(
        "newsflow_consumer_lag", {"topic": topic, "partition": str(partition)}
    )


async def test_the_lag_grows_while_nothing_is_handled() -> None:
    a, b = TP("lag-test-raw", 0), TP("lag-test-raw", 1)
    consumer = _Consumer({a: 10, b: 4}, {a: 10, b: None})
    await refresh_lag(consumer)
    assert (_lag("lag-test-raw", 0), _lag("lag-test-raw", 1)) == (0.0, 4.0)
    consumer.ends[a] = 25  # input arrives; the stuck worker commits nothing
    await refresh_lag(consumer)
    assert _lag("lag-test-raw", 0) == 15.0
    consumer._committed_offset[a] = 25  # it catches up
    await refresh_lag(consumer)
    assert _lag("lag-test-raw", 0) == 0.0


async def test_no_assignment_no_change() -> None:
    await refresh_lag(_Consumer({}, {}))  # nothing to do, nothing raised


async def test_a_revoked_partition_loses_its_series() -> None:
    a, b = TP("lag-test-moved", 0), TP("lag-test-moved", 1)
    consumer = _Consumer({a: 7, b: 9}, {a: 2, b: 9})
    await refresh_lag(consumer)
    assert (_lag("lag-test-moved", 0), _lag("lag-test-moved", 1)) == (5.0, 0.0)
    del consumer.ends[a]  # a rebalance gave partition 0 to another pod
    await refresh_lag(consumer)
    assert _lag("lag-test-moved", 0) is None  # not its last value, left behind
    assert _lag("lag-test-moved", 1) == 0.0
    await refresh_lag(_Consumer({}, {}))  # nothing assigned: nothing exported
    assert _lag("lag-test-moved", 1) is None
