"""OpenTelemetry spans per message (newsflow/tracing.py), with the SDK's in-memory exporter:
tracing on, each message's pass through a stage is a span in the feed's trace and its outputs
carry that span as their parent; tracing off, the feed's traceparent goes on unchanged."""

from __future__ import annotations

from collections.abc import Awaitable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from newsflow import tracing
from newsflow.journal import CrashJournal
from newsflow.publish import at_once
from newsflow.services.budget import Budget
from newsflow.services.limits import Limits
from newsflow.services.routing import Coordinates, Routed, published
from newsflow.stage import StageRunner
from newsflow.watchdog import Watchdog

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
FEED = f"00-{TRACE_ID}-00f067aa0ba902b7-01".encode()


def _event(offset: int, traceparent: bytes | None) -> Any:
    headers = [("traceparent", traceparent)] if traceparent else []
    return SimpleNamespace(
        value=b"v", app=None,
        message=SimpleNamespace(key=None, topic="raw", partition=0, offset=offset,
                                headers=headers, timestamp=None, tp=None),
    )  # fmt: skip


def _handle(value: bytes | None, key: bytes | None, at: Coordinates, budget: Budget) -> Routed:
    return published("normalized", f"{at.offset:032x}", b"{}", "NormalizedArticle/1")


class _Sent:
    def __init__(self) -> None:
        self.routed: list[Routed] = []

    async def __call__(self, batch: list[Routed]) -> Awaitable[list[BaseException | None]]:
        self.routed.extend(batch)
        return at_once([None] * len(batch))


def _runner(tmp_path: Any, send: _Sent) -> StageRunner:
    return StageRunner("ingest", _handle, send, Limits(), CrashJournal(tmp_path, attempts=3),
                       Watchdog("ingest", 60, on_stuck=lambda _r: None), batch_max_bytes=10**6,
                       trust_origin_header=False)  # fmt: skip


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracing.use(provider)
    yield memory
    tracing.use(None)


async def test_each_message_is_a_span_in_the_feeds_trace(exporter: InMemorySpanExporter,
                                                          tmp_path: Any) -> None:  # fmt: skip
    send = _Sent()
    await _runner(tmp_path, send).process_batch([_event(7, FEED), _event(8, None)])
    spans = {s.attributes["messaging.kafka.offset"]: s for s in exporter.get_finished_spans()}
    assert set(spans) == {7, 8} and spans[7].name == "newsflow ingest"
    assert format(spans[7].context.trace_id, "032x") == TRACE_ID  # the feed's trace
    assert format(spans[7].parent.span_id, "016x") == "00f067aa0ba902b7"  # its parent: the feed
    assert spans[8].parent is None  # no trace sent: a trace of its own
    assert spans[7].attributes["newsflow.article_id"] == f"{7:032x}"
    out = {int(r.article_id or "0", 16): r.traceparent for r in send.routed}
    assert out[7] == f"00-{TRACE_ID}-{spans[7].context.span_id:016x}-01".encode()
    assert (
        out[8] is not None and out[8].decode().split("-")[1] == f"{spans[8].context.trace_id:032x}"
    )


async def test_tracing_off_carries_the_feeds_traceparent_unchanged(tmp_path: Any) -> None:
    tracing.use(None)
    send = _Sent()
    await _runner(tmp_path, send).process_batch([_event(7, FEED), _event(8, None)])
    assert [r.traceparent for r in send.routed] == [FEED, None]


def test_tracing_is_off_unless_the_otel_variables_turn_it_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_TRACES_EXPORTER", raising=False)
    assert not tracing.enabled()
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "none")
    assert not tracing.enabled()
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console")
    assert tracing.enabled()
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert not tracing.enabled()
