"""/healthz, /readyz and /metrics of a running worker on the broker."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from newsflow import __version__
from newsflow.inputs import read_inputs
from newsflow.showcase import sample_files
from tests.integration.conftest import Pipeline

pytestmark = pytest.mark.integration
PHASES = {"imports_s", "topics_s", "models_s", "join_s", "ready_s"}


def _worker_ready(pipeline: Pipeline, proc: subprocess.Popen[bytes]) -> list[dict[str, object]]:
    """The ``worker_ready`` lines in a worker's log."""
    log = next(path for p, path in pipeline.procs if p is proc)
    lines = [json.loads(line) for line in log.read_text(errors="replace").splitlines()
             if line.startswith("{") and '"worker_ready"' in line]  # fmt: skip
    return [line for line in lines if line.get("event") == "worker_ready"]


def test_health_pages_and_metrics(pipeline: Pipeline) -> None:
    ingest = pipeline.start_worker("ingest")
    pipeline.wait_ready(ingest)
    assert pipeline.web(ingest, "/healthz") == (200, b'{"alive":true}')
    (ready,) = _worker_ready(pipeline, ingest)  # once, with how long each phase of the start took
    assert ready["service"] == "ingest" and ready.keys() >= PHASES
    payloads = [i.payload for i in read_inputs(sample_files())]
    pipeline.produce([*payloads, b"", b"[1]", b"[2]"])
    assert len(pipeline.collect(pipeline.settings.topics.deadletter, 3)) == 3
    assert len(pipeline.collect(pipeline.settings.topics.normalized, len(payloads))) == len(
        payloads
    )
    got = pipeline.web(ingest, "/metrics")
    assert got is not None
    metrics = got[1].decode()
    assert (
        f'newsflow_messages_total{{outcome="published",stage="ingest"}} {len(payloads)}.0'
        in metrics
    )
    assert 'newsflow_dead_letters_total{error_code="json_not_object",stage="ingest"} 2.0' in metrics
    assert 'newsflow_dead_letters_total{error_code="empty_input",stage="ingest"} 1.0' in metrics
    assert "newsflow_processing_seconds_bucket" in metrics
    assert 'newsflow_batch_size_count{stage="ingest"}' in metrics
    assert "newsflow_ready 1.0" in metrics
    assert (
        f'newsflow_build_info{{models="-",stage="ingest",version="{__version__}"}} 1.0' in metrics
    )
    assert "_created" not in metrics  # no creation-time series beside every counter
    # unkeyed messages land on random partitions: a lag gauge for each partition that got one
    lag = re.findall(
        rf'newsflow_consumer_lag{{partition="(\d+)",topic="{pipeline.settings.topics.raw}"}}',
        metrics,
    )
    assert lag, "no consumer lag gauge for the raw topic"

    enrich = pipeline.start_worker("enrich")
    assert len(pipeline.collect(pipeline.settings.topics.enriched, len(payloads))) == len(payloads)
    pipeline.wait_ready(enrich)
    (ready,) = _worker_ready(pipeline, enrich)
    assert ready["service"] == "enrich" and ready.keys() >= PHASES
    got = pipeline.web(enrich, "/metrics")
    assert got is not None
    enrich_metrics = got[1].decode()
    assert f"newsflow_end_to_end_seconds_count {len(payloads)}.0" in enrich_metrics
    build = re.search(r'newsflow_build_info\{models="([^"]+)",stage="enrich"', enrich_metrics)
    assert build and "newsflow/ner 1.2.0" in build.group(1), build
    assert (
        f'newsflow_messages_total{{outcome="published",stage="enrich"}} {len(payloads)}.0'
        in enrich_metrics
    )
    assert pipeline.stop_all() == [0, 0]


def test_exactly_once_fails_fast_where_the_broker_has_no_transactions(pipeline: Pipeline) -> None:
    if "NEWSFLOW_TEST_BOOTSTRAP" in pipeline.env:
        pytest.skip("a real Kafka may well support transactions")
    env = {**pipeline.env, "NEWSFLOW_PROCESSING_GUARANTEE": "exactly_once"}
    done = subprocess.run([sys.executable, "-m", "newsflow", "worker", "--service", "ingest"],
                          env=env, capture_output=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 1
    assert b"needs Kafka transactions" in done.stderr
