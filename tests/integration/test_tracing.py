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


@pytest.mark.parametrize("tracing", ["off", "on"])
def test_a_feeds_traceparent_arrives_on_the_enriched_article(
    pipeline: Pipeline, tracing: str
) -> None:
    """Off: the feed's traceparent unchanged on every output. On (OTEL_TRACES_EXPORTER):
    the same trace id, each stage's span the parent of the next record."""
    if tracing == "on":
        pipeline.env = {**pipeline.env, "OTEL_TRACES_EXPORTER": "console"}
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
    assert pipeline.stop_all() == [0, 0]
    if tracing == "off":
        assert sorted(h.get("traceparent", b"") for h in normalized) == [b"", TRACE]
        assert sorted(h.get("traceparent", b"") for h in enriched) == [b"", TRACE]
        return
    # each output in a trace: the feed's for the story, one of its own for the other
    trace_id = TRACE.split(b"-")[1]
    for records in (normalized, enriched):
        parents = [h["traceparent"] for h in records]
        assert len(parents) == 2
        assert sum(p.split(b"-")[1] == trace_id for p in parents) == 1
        assert all(p != TRACE for p in parents)  # a newsflow span is the parent now
    ours = {h["traceparent"] for h in normalized} | {h["traceparent"] for h in enriched}
    assert len(ours) == 4  # every record its own parent span
