"""The byte window between the consumer and a stage (newsflow/flow.py)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from aiokafka import TopicPartition

from newsflow.flow import ByteWindow


def _poll(topic: str, partition: int, *sizes: int) -> dict[object, list[object]]:
    return {TopicPartition(topic, partition): [SimpleNamespace(value=b"x" * n) for n in sizes]}


async def test_the_consumer_waits_while_the_stage_holds_the_limit() -> None:
    window = ByteWindow(1_000)
    window.take(_poll("raw", 0, 600, 500))
    assert window.full() and window.total == 1_100
    assert not await window.wait_for_room(0.01)  # nothing given back: no room, no new poll

    async def stage_delivers() -> None:
        await asyncio.sleep(0.02)
        window.give_back(("raw", 0), 600)

    delivered = asyncio.create_task(stage_delivers())
    assert await window.wait_for_room(5)  # woken by the give-back, not by the timeout
    await delivered
    assert window.held == {("raw", 0): 500}


def test_a_revoked_partition_is_forgotten_and_late_give_backs_do_not_go_negative() -> None:
    window = ByteWindow(1_000)
    window.take(_poll("raw", 0, 900))
    window.take(_poll("raw", 1, 300))
    window.forget([TopicPartition("raw", 0)])
    assert window.held == {("raw", 1): 300} and not window.full()
    window.give_back(("raw", 0), 900)  # handled after all, before faust dropped it
    window.give_back(("raw", 1), 500)
    assert window.held == {} and window.total == 0
