"""A feed's W3C trace context (the ``traceparent`` header) travels with its article through
both stages, on the real broker with the real workers: the enriched record carries the same
trace, and a malformed header is not carried."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from newsflow.showcase import sample_files
from tests.integration.conftest import Pipeline

pytestmark = pytest.mark.integration

TRACE = b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


async def _send(bootstrap: str, topic: str, items: list[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for value, header in items:
            await producer.send_and_wait(topic, value, headers=[("traceparent", header)])
    finally:
        await producer.stop()


async def _headers(bootstrap: str, topic: str, n: int) -> list[dict[str, bytes]]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest")  # fmt: skip
    await consumer.start()
    out: list[dict[str, bytes]] = []
    try:
        async with asyncio.timeout(120):
            while len(out) < n:
                for batch in (await consumer.getmany(timeout_ms=500)).values():
                    out.extend(dict(r.headers or []) for r in batch)
    finally:
        await consumer.stop()
    return out


def test_a_feeds_traceparent_arrives_on_the_enriched_article(pipeline: Pipeline) -> None:
    pipeline.start_worker("ingest")
    pipeline.start_worker("enrich")
    texts = [p.read_bytes() for p in sample_files() if p.suffix == ".txt"]
    story = texts[0]
    other = story.replace(b"\n\n", b"\n\nA second telling. ", 1)  # another article id
    topics = pipeline.settings.topics
    asyncio.run(_send(pipeline.settings.bootstrap_servers, topics.raw,
                      [(story, TRACE), (other, b"not-a-trace")]))  # fmt: skip
    normalized = asyncio.run(_headers(pipeline.settings.bootstrap_servers, topics.normalized, 2))
    enriched = asyncio.run(_headers(pipeline.settings.bootstrap_servers, topics.enriched, 2))
    assert sorted(h.get("traceparent", b"") for h in normalized) == [b"", TRACE]
    assert sorted(h.get("traceparent", b"") for h in enriched) == [b"", TRACE]
    assert pipeline.stop_all() == [0, 0]
