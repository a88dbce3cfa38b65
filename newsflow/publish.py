"""Sending a routing decision to its topic.

at_least_once: the send is forced out and its broker acknowledgement awaited before the agent
moves on, so the input offset is committed only after its output is stored. Kafka errors are
retried with capped exponential backoff for as long as they last; readiness is false meanwhile.
An output the broker refuses for good (over its size limit) dead-letters the input instead.

exactly_once: the send is attached to the input event and faust publishes it inside the
transaction that commits the input offset (real Kafka only)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

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

SendMany = Callable[[list[Routed]], Awaitable[list[OutputRejected | None]]]


class Publisher:
    def __init__(
        self, topics: AppTopics, health: Health, stage: str, *, exactly_once: bool
    ) -> None:
        self.topics = topics
        self.health = health
        self.stage = stage
        self.exactly_once = exactly_once

    @staticmethod
    def _headers(routed: Routed) -> list[tuple[str, bytes]]:
        headers = [("content-type", b"application/json"), ("schema", routed.schema.encode())]
        if routed.origin_timestamp is not None:
            headers.append((ORIGIN_HEADER, repr(routed.origin_timestamp).encode()))
        return headers

    async def send_many(self, batch: list[Routed]) -> list[OutputRejected | None]:
        """Send a batch and wait for all its acknowledgements at once. What fails with a
        transient error is sent again on its own (with backoff); what is refused for good is
        returned as OutputRejected in its place."""
        if self.exactly_once:
            for routed in batch:
                topic = self.topics.by_destination(routed.destination)
                await topic.send(key=routed.key, value=routed.value, headers=self._headers(routed))
            return [None] * len(batch)
        pending: list[Any] = []
        for routed in batch:
            topic = self.topics.by_destination(routed.destination)
            try:
                fut = await topic.send(
                    key=routed.key, value=routed.value, headers=self._headers(routed), force=True
                )
                pending.append(fut)
            except KafkaError as exc:  # refused before it left the client
                pending.append(exc)
        waits = [p for p in pending if not isinstance(p, BaseException)]
        results = iter(await asyncio.gather(*waits, return_exceptions=True))
        outcomes: list[OutputRejected | None] = []
        for routed, sent in zip(batch, pending, strict=True):
            result = sent if isinstance(sent, BaseException) else next(results)
            if not isinstance(result, BaseException):
                outcomes.append(None)
            elif isinstance(result, MessageSizeTooLargeError):
                outcomes.append(self._rejected(routed, result))
            else:  # transient: on its own, with backoff, until it goes
                try:
                    await self._send_until_acked(routed)
                    outcomes.append(None)
                except OutputRejected as exc:
                    outcomes.append(exc)
        return outcomes

    def _rejected(self, routed: Routed, exc: BaseException) -> OutputRejected:
        return OutputRejected(
            f"{routed.destination} output of {len(routed.value)} bytes refused: {exc}"
        )

    async def _send_until_acked(self, routed: Routed) -> None:
        """One output, retried with capped backoff on Kafka errors (readiness false meanwhile)."""
        topic = self.topics.by_destination(routed.destination)
        headers = self._headers(routed)
        delay = FIRST_BACKOFF
        while True:
            try:
                fut = await topic.send(
                    key=routed.key, value=routed.value, headers=headers, force=True
                )
                await fut
            except MessageSizeTooLargeError as exc:  # retrying cannot help this message
                raise self._rejected(routed, exc) from exc
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


async def deliver_many(
    send: SendMany,
    stage: Stage,
    routed: list[Routed],
    messages: Sequence[tuple[bytes | None, bytes | None, Coordinates]],
) -> list[Routed]:
    """Send a batch; an output refused for good dead-letters its input instead. Returns what
    was sent, in order."""
    outcomes = await send(routed)
    final = list(routed)
    retry: list[int] = []
    for i, outcome in enumerate(outcomes):
        if outcome is not None:
            value, key, at = messages[i]
            final[i] = dead_letter(stage, outcome, value=value or b"", key=key, at=at,
                                   article_id=routed[i].article_id)  # fmt: skip
            retry.append(i)
    if retry:
        await send([final[i] for i in retry])
    return final
