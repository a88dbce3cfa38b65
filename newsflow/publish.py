"""Sending a stage's outputs, and what happens when a send fails.

at_least_once: every output is forced out, and an input offset is acknowledged to faust (which
commits it) only after its outputs are stored. Sending is in two steps: ``submit`` puts a
batch's records in the producer's queue, in order, and returns the wait for their broker
acknowledgements, so a stage can handle its next batch during that wait (newsflow/agent.py).

A failed send is one of two kinds:
* transient (the broker is down or busy, a timeout, a leader moving): sent again with capped
  exponential backoff for as long as it lasts; readiness is false meanwhile;
* refused for good (the record is over a size limit, the topic is invalid or not allowed):
  ``submit_outputs`` sends something smaller in its place: an article's input as a dead
  letter, then that dead letter with only a prefix of the input. If even that is refused, it
  raises ``DeliveryFailed``, and the stage ends the process without committing the batch.

faust wraps what aiokafka raises inside ``send()`` in ``ProducerSendError`` (not a KafkaError);
both are unwrapped here to their cause.

exactly_once: the send is attached to the input event and faust publishes it inside the
transaction that commits the input offset (real Kafka only)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import structlog
from aiokafka.errors import (
    InvalidTopicError,
    KafkaError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
    TopicAuthorizationFailedError,
    UnsupportedCodecError,
)
from faust.exceptions import ProducerSendError

from newsflow.app import AppTopics
from newsflow.health import Health
from newsflow.metrics import PUBLISH_RETRIES, REFUSED
from newsflow.schemas import Stage
from newsflow.services.errors import OutputRejected
from newsflow.services.routing import Message, Routed, degrade

log = structlog.get_logger(__name__)
ORIGIN_HEADER = "newsflow-raw-timestamp"  # carried from raw to enriched, for end-to-end latency
TRACEPARENT_HEADER = "traceparent"  # W3C Trace Context: a feed's trace, carried to every output
FIRST_BACKOFF = 0.1
MAX_BACKOFF = 10.0
#: Errors that sending the same record again cannot cure.
REFUSALS: tuple[type[KafkaError], ...] = (
    MessageSizeTooLargeError,
    RecordTooLargeError,
    RecordListTooLargeError,
    InvalidTopicError,
    TopicAuthorizationFailedError,
    UnsupportedCodecError,
)

Outcomes = list[BaseException | None]
#: Puts a batch's records in the producer's queue, in order, and returns the wait for their
#: outcomes: for each record None (acknowledged) or the error that refused it for good.
Submit = Callable[[list[Routed]], Awaitable[Awaitable[Outcomes]]]


async def at_once(outcomes: Outcomes) -> Outcomes:
    """A wait whose outcomes are already known (a send that needed no acknowledgement wait)."""
    return outcomes


class DeliveryFailed(RuntimeError):
    """Not even a truncated dead letter could be stored: the batch must not be committed."""


def cause(exc: BaseException) -> BaseException:
    """What aiokafka raised, under faust's ``ProducerSendError``."""
    if isinstance(exc, ProducerSendError) and exc.__cause__ is not None:
        return exc.__cause__
    return exc


def refused(exc: BaseException) -> bool:
    return isinstance(cause(exc), REFUSALS)


class Publisher:
    def __init__(
        self, topics: AppTopics, health: Health, stage: Stage, *, exactly_once: bool
    ) -> None:
        self.topics = topics
        self.health = health
        self.stage = stage
        self.exactly_once = exactly_once
        self._producer: Any = None

    @staticmethod
    def _headers(routed: Routed) -> list[tuple[str, bytes]]:
        headers = [("content-type", b"application/json"), ("schema", routed.schema.encode())]
        if routed.origin_timestamp is not None:
            headers.append((ORIGIN_HEADER, repr(routed.origin_timestamp).encode()))
        if routed.traceparent is not None:
            headers.append((TRACEPARENT_HEADER, routed.traceparent))
        return headers

    async def _send(self, routed: Routed) -> Any:
        """Puts one record in the producer's queue; returns its acknowledgement future."""
        topic = self.topics.by_destination(routed.destination)
        if self.exactly_once:  # attached to the input event: published with its commit
            return await topic.send(key=routed.key, value=routed.value,
                                    headers=self._headers(routed))  # fmt: skip
        # Straight to faust's producer (aiokafka's, with faust's error wrapping), asked for
        # once. faust's Topic.send asks the app for its started producer on every record,
        # which took 0.27-0.29 ms of wall time a call in a worker (it gives the event loop
        # away), so queueing a batch of 16 took ~4.5 ms; this doubled a stage's rate with
        # transforms off (decision 0016).
        if self._producer is None:
            self._producer = await topic.app.maybe_start_producer()
        return await self._producer.send(
            topic.get_topic_name(), routed.key, routed.value, None, None, self._headers(routed)
        )

    async def submit(self, batch: list[Routed]) -> Awaitable[Outcomes]:
        """Put a batch's records in the producer's queue, in order, and return the wait for
        their acknowledgements. What fails with a transient error is then sent again on its
        own, with backoff, until it is stored. Exactly-once sends are attached to the input
        event and published with its commit: nothing to wait for here."""
        if self.exactly_once:
            return at_once([await self._attached(routed) for routed in batch])
        pending: list[Any] = []
        for routed in batch:
            try:
                pending.append(await self._send(routed))
            except (KafkaError, ProducerSendError) as exc:  # failed before it left the client
                pending.append(exc)
        return self._outcomes(batch, pending)

    async def _outcomes(self, batch: list[Routed], pending: list[Any]) -> Outcomes:
        waits = [p for p in pending if not isinstance(p, BaseException)]
        results = iter(await asyncio.gather(*waits, return_exceptions=True))
        outcomes: Outcomes = []
        for routed, sent in zip(batch, pending, strict=True):
            result = sent if isinstance(sent, BaseException) else next(results)
            if not isinstance(result, BaseException):
                outcomes.append(None)
            elif refused(result):
                outcomes.append(cause(result))
            elif isinstance(result, KafkaError | ProducerSendError):
                outcomes.append(await self._send_until_stored(routed))
            else:
                raise result  # not a Kafka error: a bug, which must stop the stage
        return outcomes

    async def _attached(self, routed: Routed) -> BaseException | None:
        try:
            await self._send(routed)
        except (KafkaError, ProducerSendError) as exc:
            if refused(exc):
                return cause(exc)
            raise
        return None

    async def _send_until_stored(self, routed: Routed) -> BaseException | None:
        """One record, sent again with capped backoff while the error is transient (readiness
        false meanwhile); the error that refuses it for good, or None once stored."""
        delay = FIRST_BACKOFF
        while True:
            try:
                await (await self._send(routed))
            except (KafkaError, ProducerSendError) as exc:
                if refused(exc):
                    return cause(exc)
                PUBLISH_RETRIES.labels(self.stage).inc()
                self.health.set(sends_ok=False)
                log.warning("publish_retry", destination=routed.destination,
                            error=repr(cause(exc)), retry_in=delay)  # fmt: skip
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF)
            else:
                if not self.health.sends_ok:
                    self.health.set(sends_ok=True)
                return None


async def submit_outputs(
    submit: Submit,
    stage: Stage,
    routed: list[Routed],
    messages: Sequence[Message],
    *,
    max_bytes: int,
) -> Awaitable[list[Routed]]:
    """Put a batch's outputs in the producer's queue, in order, and return the wait until they
    are stored. What the broker refuses for good is replaced by something smaller (see
    ``degrade``) and sent again. The wait returns what was stored, in order, or raises
    ``DeliveryFailed`` when a truncated dead letter is refused too."""
    sent = await submit(routed)
    return _stored(submit, stage, list(routed), messages, sent, max_bytes=max_bytes)


async def _stored(
    submit: Submit,
    stage: Stage,
    final: list[Routed],
    messages: Sequence[Message],
    sent: Awaitable[Outcomes],
    *,
    max_bytes: int,
) -> list[Routed]:
    todo = list(range(len(final)))
    while True:
        again = []
        for i, error in zip(todo, await sent, strict=True):
            if error is None:
                continue
            value, key, at = messages[i]
            where = f"{at.topic}:{at.partition}:{at.offset}"
            REFUSED.labels(stage, final[i].destination).inc()
            log.error("output_refused", destination=final[i].destination, message=where,
                      bytes=final[i].size, error=repr(error))  # fmt: skip
            reason = f"{final[i].destination} output of {final[i].size} bytes refused: {error!r}"
            smaller = degrade(final[i], stage, OutputRejected(reason), value=value or b"",
                              key=key, at=at, max_bytes=max_bytes)  # fmt: skip
            if smaller is None:
                raise DeliveryFailed(f"the dead letter for {where} was refused: {error!r}")
            final[i] = smaller
            again.append(i)
        if not again:
            return final
        todo = again
        sent = await submit([final[i] for i in todo])
