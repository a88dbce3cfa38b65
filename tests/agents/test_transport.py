"""The consumer faust builds for a worker takes its fetch wait from settings (faust alone
hard-codes 1.5 s, which the embedded broker adds to every hop)."""

from __future__ import annotations

import asyncio

import pytest

from newsflow.app import create_app
from newsflow.settings import Settings


@pytest.mark.asyncio
async def test_worker_consumer_uses_the_configured_fetch_wait() -> None:
    app = create_app(Settings(fetch_max_wait=0.25), "ingest", loop=asyncio.get_running_loop())
    thread = app.consumer._thread
    consumer = thread._create_worker_consumer(app.transport)
    try:
        assert consumer._fetch_max_wait_ms == 250
        assert consumer._max_partition_fetch_bytes == 4 * Settings().limits.max_raw_bytes
    finally:
        await consumer.stop()
        thread.thread_loop.close()  # faust's thread makes a loop of its own, never started here
