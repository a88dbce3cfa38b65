"""The consumer faust builds for a worker takes its fetch wait and sizes from settings (faust
alone hard-codes a 1.5 s wait, which the embedded broker adds to every hop, and leaves
aiokafka's 50 MB per fetch); the app serves only newsflow's own web pages."""

from __future__ import annotations

import asyncio

import pytest

from newsflow.app import create_app
from newsflow.health import Health, install
from newsflow.settings import Settings


@pytest.mark.asyncio
async def test_worker_consumer_uses_the_configured_fetch_wait_and_sizes() -> None:
    settings = Settings(fetch_max_wait=0.25, fetch_max_bytes=3_000_000)
    app = create_app(settings, "ingest", loop=asyncio.get_running_loop())
    thread = app.consumer._thread
    consumer = thread._create_worker_consumer(app.transport)
    try:
        assert consumer._fetch_max_wait_ms == 250
        assert consumer._fetch_max_bytes == 3_000_000
        assert consumer._max_partition_fetch_bytes == settings.limits.max_message_bytes
        assert app.conf.producer_max_request_size == settings.limits.max_message_bytes
    finally:
        await consumer.stop()
        thread.thread_loop.close()  # faust's thread makes a loop of its own, never started here


@pytest.mark.asyncio
async def test_only_newsflows_own_pages_are_served() -> None:
    app = create_app(Settings(), "ingest", loop=asyncio.get_running_loop())
    install(app, Settings(), Health())
    app.web.init_server()
    paths = {r.resource.canonical for r in app.web.web_app.router.routes()}
    assert paths == {"/healthz", "/readyz", "/metrics"}
