"""Plain aiokafka producer and consumer for the CLI (produce, consume, up) and the tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Iterable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

from newsflow.kafka import client_options, connect
from newsflow.settings import Settings

CONNECT_TIMEOUT = 15.0


async def _start(client: AIOKafkaProducer | AIOKafkaConsumer, settings: Settings) -> None:
    await connect(client, settings, timeout=CONNECT_TIMEOUT, close=client.stop)


async def produce(settings: Settings, topic: str, payloads: Iterable[bytes]) -> int:
    """Send every payload (no key: the ingest stage assigns the article id) and wait for acks."""
    return await produce_records(settings, topic, ((None, p) for p in payloads))


async def produce_records(
    settings: Settings, topic: str, records: Iterable[tuple[bytes | None, bytes]]
) -> int:
    """Send (key, value) records and wait for every acknowledgement."""
    producer = AIOKafkaProducer(
        **client_options(settings),
        acks="all",
        linger_ms=5,
        max_request_size=settings.limits.max_raw_bytes + 65_536,
    )
    await _start(producer, settings)
    try:
        futures = [await producer.send(topic, key=k, value=v) for k, v in records]
        await asyncio.gather(*futures)
        return len(futures)
    finally:
        await producer.stop()


async def consume(
    settings: Settings,
    topic: str,
    *,
    from_beginning: bool,
    timeout: float | None,
    idle: float | None = None,
) -> AsyncGenerator[bytes, None]:
    """Yield message values from every partition of ``topic``; see ``consume_records``."""
    records = consume_records(settings, topic, from_beginning=from_beginning, timeout=timeout,
                              idle=idle)  # fmt: skip
    async with contextlib.aclosing(records):
        async for record in records:
            if record.value is not None:
                yield record.value


async def consume_records(
    settings: Settings,
    topic: str,
    *,
    from_beginning: bool,
    timeout: float | None,
    idle: float | None = None,
) -> AsyncGenerator[ConsumerRecord[bytes, bytes], None]:
    """Yield records from every partition of ``topic`` (no consumer group, no commits) until
    ``timeout`` seconds have passed (forever when None), or until nothing new arrived for
    ``idle`` seconds (how "read everything there is" ends without trusting end offsets, which
    some brokers get wrong)."""
    consumer = AIOKafkaConsumer(
        topic, **client_options(settings), group_id=None, enable_auto_commit=False,
        auto_offset_reset="earliest" if from_beginning else "latest",
    )  # fmt: skip
    await _start(consumer, settings)
    loop = asyncio.get_running_loop()
    deadline = None if timeout is None else loop.time() + timeout
    last = loop.time()
    try:
        while deadline is None or loop.time() < deadline:
            if idle is not None and loop.time() - last > idle:
                return
            wait = 1.0 if deadline is None else max(0.0, min(1.0, deadline - loop.time()))
            batches = await consumer.getmany(timeout_ms=int(wait * 1000))
            for records in batches.values():
                for record in records:
                    last = loop.time()
                    yield record
    finally:
        await consumer.stop()
