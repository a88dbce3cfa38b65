"""OpenTelemetry tracing of each message's pass through a stage: off by default, on with the
standard OTEL_* variables.

- ``OTEL_TRACES_EXPORTER``: ``console``, or ``otlp`` (with the ``tracing`` extra installed:
  ``pip install 'newsflow[tracing]'``; ``OTEL_EXPORTER_OTLP_ENDPOINT`` and its kin as the SDK
  reads them); unset or ``none``: tracing off. ``OTEL_SDK_DISABLED=true`` turns it off too.
- ``OTEL_SERVICE_NAME``: the service name (default ``newsflow-<stage>``).

With tracing on, each message gets a span ``newsflow <stage>`` (the time from its batch part's
start to its output being ready), a child of the trace its input carried in the W3C
``traceparent`` header, and its outputs carry the span's own ``traceparent``: the same trace
id, this stage as the parent. With tracing off, the input's ``traceparent`` is carried on
unchanged (newsflow/stage.py): a feed's trace follows its article either way."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import structlog
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
from opentelemetry.trace import SpanKind, set_span_in_context
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

log = structlog.get_logger(__name__)

_PROPAGATOR = TraceContextTextMapPropagator()
_provider: TracerProvider | None = None  # set by ``configure`` (or ``use``): tracing on


def enabled() -> bool:
    """Whether the OTEL_* variables turn tracing on."""
    if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    return os.environ.get("OTEL_TRACES_EXPORTER", "").strip().lower() not in ("", "none")


def configure(stage: str) -> None:
    """Set up the SDK's tracer provider and exporters from the OTEL_* variables, once per
    worker process (nothing when tracing is off)."""
    if not enabled():
        return
    name = os.environ.get("OTEL_SERVICE_NAME") or f"newsflow-{stage}"
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    for named in os.environ["OTEL_TRACES_EXPORTER"].lower().split(","):
        exporter = named.strip()
        if exporter == "console":
            provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
        elif exporter == "otlp":
            try:
                from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # type: ignore[import-not-found]  # noqa: PLC0415  # the tracing extra
                    OTLPSpanExporter,
                )
            except ImportError:
                log.warning("tracing_exporter_missing", exporter="otlp",
                            hint="pip install 'newsflow[tracing]'")  # fmt: skip
                continue
            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        else:
            log.warning("tracing_exporter_unknown", exporter=exporter)
    use(provider)
    log.info("tracing_on", service=name, exporters=os.environ["OTEL_TRACES_EXPORTER"])


def active() -> bool:
    """Whether spans are being made (``configure`` or ``use`` gave a provider)."""
    return _provider is not None


def use(provider: TracerProvider | None) -> None:
    """Trace with ``provider`` (None: tracing off). The tests give one with an in-memory
    exporter; no global OpenTelemetry state is touched."""
    global _provider  # noqa: PLW0603  # one provider per process, by design
    _provider = provider


def spans(
    stage: str,
    incoming: Sequence[bytes | None],
    attributes: Sequence[dict[str, Any]],
    start_ns: int,
    end_ns: int,
) -> list[bytes | None]:
    """The ``traceparent`` each message's outputs carry: with tracing on, that of a span for
    its pass through ``stage`` (a child of its ``incoming`` trace context, when it has one);
    with tracing off, ``incoming`` unchanged."""
    if _provider is None:
        return list(incoming)
    tracer = _provider.get_tracer("newsflow")
    out: list[bytes | None] = []
    for parent, attrs in zip(incoming, attributes, strict=True):
        context = _PROPAGATOR.extract({"traceparent": parent.decode()}) if parent else None
        span = tracer.start_span(f"newsflow {stage}", context=context, kind=SpanKind.CONSUMER,
                                 attributes=attrs, start_time=start_ns)  # fmt: skip
        span.end(end_time=end_ns)
        carrier: dict[str, str] = {}
        _PROPAGATOR.inject(carrier, context=set_span_in_context(span))
        out.append(carrier["traceparent"].encode() if "traceparent" in carrier else parent)
    return out
