"""Prometheus metrics of a worker process, served at /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

# No `_created` series beside every counter and histogram: they double the series a scrape
# holds and no dashboard or alert reads them.
disable_created_metrics()  # type: ignore[no-untyped-call]  # untyped in prometheus-client

BUILD_INFO = Gauge(
    "newsflow_build_info",
    "Always 1: which newsflow version, stage and models this worker runs (its labels).",
    ["version", "stage", "models"],
)

MESSAGES = Counter(
    "newsflow_messages_total", "Messages handled, by stage and outcome.", ["stage", "outcome"]
)
DEAD_LETTERS = Counter(
    "newsflow_dead_letters_total",
    "Dead letters written, by stage and error code.",
    ["stage", "error_code"],
)
PROCESSING = Histogram(
    "newsflow_processing_seconds",
    "Time to turn one message into its output, by stage.",
    ["stage"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
PUBLISH_RETRIES = Counter(
    "newsflow_publish_retries_total", "Sends retried after a Kafka error, by stage.", ["stage"]
)
REFUSED = Counter(
    "newsflow_outputs_refused_total",
    "Records the broker or client refused for good (too large, topic not allowed), by stage and "
    "destination; each was replaced by a smaller dead letter.",
    ["stage", "destination"],
)
END_TO_END = Histogram(
    "newsflow_end_to_end_seconds",
    "From the raw message's Kafka timestamp to its enriched article acknowledged.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0),
)
CONSUMER_LAG = Gauge(
    "newsflow_consumer_lag",
    "Messages on the partition the group has not committed: its end offset minus the "
    "committed position.",
    ["topic", "partition"],
)
BATCH_SIZE = Histogram(
    "newsflow_batch_size",
    "Messages handled together (NEWSFLOW_BATCH_SIZE caps it).",
    ["stage"],
    buckets=(1, 2, 4, 8, 16, 32, 64, 128),
)
READY = Gauge(
    "newsflow_ready", "1 when the worker is ready (broker reachable, partitions, models)."
)


def set_build_info(version: str, stage: str, models: str) -> None:
    """``newsflow_build_info{version, stage, models} 1``: what runs where ("newsflow/ner
    1.1.0,newsflow/topics 0.4.0")."""
    BUILD_INFO.labels(version, stage, models).set(1)
