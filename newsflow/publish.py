"""Sending a routing decision to its topic.

at_least_once: the send is forced out and its broker acknowledgement awaited before the agent
moves on, so the input offset is committed only after its output is stored. Kafka errors are
retried with capped exponential backoff for as long as they last; readiness is false meanwhile.
An output the broker refuses for good (over its size limit) dead-letters the input instead.

exactly_once: the send is attached to the input event and faust publishes it inside the
transaction that commits the input offset (real Kafka only)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog
from aiokafka.errors import KafkaError, MessageSizeTooLargeError

from newsflow.app import AppTopics
from newsflow.health import Health
from newsflow.metrics import PUBLISH_RETRIES
from schemas import Stage
from services.errors import OutputRejected
from services.routing import Coordinates, Routed, dead_letter

log = structlog.get_logger(__name__)
ORIGIN_HEADER = "newsflow-raw-timestamp"  # carried from raw to enriched, for end-to-end latency
FIRST_BACKOFF = 0.1
MAX_BACKOFF = 10.0

Send = Callable[[Routed], Awaitable[None]]


class Publisher:
    def __init__(
        self, topics: AppTopics, health: Health, stage: str, *, exactly_once: bool
    ) -> None:
        self.topics = topics
        self.health = health
        self.stage = stage
        self.exactly_once = exactly_once

    async def __call__(self, routed: Routed) -> None:
        topic = self.topics.by_destination(routed.destination)
        headers = [("content-type", b"application/json"), ("schema", routed.schema.encode())]
        if routed.origin_timestamp is not None:
            headers.append((ORIGIN_HEADER, repr(routed.origin_timestamp).encode()))
        if self.exactly_once:
            await topic.send(key=routed.key, value=routed.value, headers=headers)
            return
        delay = FIRST_BACKOFF
        while True:
            try:
                fut = await topic.send(
                    key=routed.key, value=routed.value, headers=headers, force=True
                )
                await fut
            except MessageSizeTooLargeError as exc:  # retrying cannot help this message
                raise OutputRejected(
                    f"{routed.destination} output of {len(routed.value)} bytes refused: {exc}"
                ) from exc
            except KafkaError as exc:
                PUBLISH_RETRIES.labels(self.stage).inc()
                self.health.set(sends_ok=False)
                log.warning("publish_retry", destination=routed.destination, error=repr(exc),
                            retry_in=delay)  # fmt: skip
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF)
            else:
                if not self.health.sends_ok:
                    self.health.set(sends_ok=True)
                return


async def deliver(
    send: Send,
    stage: Stage,
    routed: Routed,
    *,
    value: bytes | None,
    key: bytes | None,
    at: Coordinates,
) -> Routed:
    """Send ``routed``; if it is refused for good, dead-letter the input instead. Returns what
    was sent."""
    try:
        await send(routed)
    except OutputRejected as exc:
        routed = dead_letter(
            stage, exc, value=value or b"", key=key, at=at, article_id=routed.article_id
        )
        await send(routed)
    return routed
