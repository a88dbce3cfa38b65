"""Sending a routing decision to its topic, with the broker's acknowledgement awaited (so the
input offset is committed only after its output is safely stored: at-least-once)."""

from __future__ import annotations

import asyncio

import structlog
from aiokafka.errors import KafkaError

from newsflow.app import AppTopics
from services.routing import Routed

log = structlog.get_logger(__name__)
MAX_BACKOFF = 10.0


async def publish(topics: AppTopics, routed: Routed) -> None:
    """Send and wait for the broker's ack, retrying transient failures with capped backoff."""
    topic = topics.by_destination(routed.destination)
    headers = [("content-type", b"application/json"), ("schema", routed.schema.encode())]
    delay = 0.1
    while True:
        try:
            fut = await topic.send(key=routed.key, value=routed.value, headers=headers, force=True)
            await fut
            return
        except KafkaError as exc:
            log.warning(
                "publish_retry", destination=routed.destination, error=repr(exc), retry_in=delay
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF)
