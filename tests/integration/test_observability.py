"""The dashboard and the alerts read what the workers export: every metric name their PromQL
uses is on /metrics of a running ingest and enrich worker (a renamed metric breaks this test, not
the dashboard), and the stuck-stage and dead-letter alerts' conditions come true on scraped
values when a stage is stopped or input is bad.

No maintained PromQL evaluator runs in-process from PyPI (the packages there are HTTP clients of
a Prometheus server, or query builders), so the alerts' logic is evaluated here in Python on two
scrapes taken a few seconds apart: a rate is the difference of a counter between them."""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from newsflow.inputs import read_inputs
from newsflow.showcase import sample_files
from tests.integration.conftest import Pipeline

pytestmark = pytest.mark.integration

OBSERVABILITY = Path(__file__).resolve().parents[2] / "deploy" / "observability"
# Series from Kubernetes (kube-state-metrics), not from newsflow: named here so the list of what
# the rules read from elsewhere is explicit.
FROM_KUBERNETES = {"kube_pod_container_status_restarts_total"}
METRIC = re.compile(r"\b(?:newsflow|process|kube)_[a-z_]+\b")

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def rules() -> dict[str, str]:
    doc = yaml.safe_load((OBSERVABILITY / "prometheusrule.yaml").read_text())
    return {r["alert"]: r["expr"] for g in doc["spec"]["groups"] for r in g["rules"]}


def dashboard_queries() -> list[str]:
    dash = json.loads((OBSERVABILITY / "dashboard.json").read_text())
    queries = [t["expr"] for p in dash["panels"] for t in p.get("targets", [])]
    variables = [v["query"]["query"] for v in dash["templating"]["list"] if v["type"] == "query"]
    return [*queries, *variables]


def used_metrics() -> set[str]:
    names = {m for q in [*dashboard_queries(), *rules().values()] for m in METRIC.findall(q)}
    assert names, "no metric names found in the queries"
    return names


def exported(text: str) -> set[str]:
    """Every series name a scrape declares: the samples it has, and for each family the names
    its type gives it (a labelled counter nothing has incremented yet has no sample, but is
    there: `newsflow_publish_retries_total` on a worker that never retried)."""
    names: set[str] = set()
    for family in text_string_to_metric_families(text):
        names.update(s.name for s in family.samples)
        if family.type == "counter":
            names.add(family.name + "_total")
        elif family.type == "histogram":
            names.update(family.name + suffix for suffix in ("_bucket", "_count", "_sum"))
        else:
            names.add(family.name)
    return names


def scrape(pipeline: Pipeline, worker) -> str:  # type: ignore[no-untyped-def]  # a Popen
    got = pipeline.web(worker, "/metrics")
    assert got is not None and got[0] == 200, got
    return got[1].decode()


def samples(*texts: str) -> Samples:
    """The samples of several workers' scrapes, as Prometheus would hold them (summed where two
    workers export the same series, which a `sum by` would do)."""
    held: Samples = defaultdict(float)
    for text in texts:
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                held[(s.name, frozenset(s.labels.items()))] += s.value
    return dict(held)


def total(held: Samples, name: str, **labels: str) -> float:
    want = set(labels.items())
    return sum(v for (n, ls), v in held.items() if n == name and want <= ls)


def increase(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return total(after, name, **labels) - total(before, name, **labels)


def stuck_stages(before: Samples, after: Samples) -> set[str]:
    """NewsflowStageStuck's logic without the lag branch: enrich gets input when ingest
    publishes, and a stage is stuck when it gets input and publishes nothing (an absent series,
    no enrich worker at all, counts as nothing: the rule's `unless`)."""
    inputs = {"enrich": increase(before, after, "newsflow_messages_total", stage="ingest",
                                 outcome="published")}  # fmt: skip
    return {stage for stage, got in inputs.items()
            if got > 0 and increase(before, after, "newsflow_messages_total", stage=stage,
                                    outcome="published") <= 0}  # fmt: skip


def dead_letter_share(before: Samples, after: Samples, stage: str) -> float:
    """NewsflowDeadLetterRateHigh's ratio: dead letters over messages handled."""
    handled = increase(before, after, "newsflow_messages_total", stage=stage)
    return increase(before, after, "newsflow_dead_letters_total", stage=stage) / handled


def test_every_metric_the_dashboard_and_alerts_read_is_exported(pipeline: Pipeline) -> None:
    ingest = pipeline.start_worker("ingest")
    enrich = pipeline.start_worker("enrich")
    pipeline.wait_ready(ingest)
    payloads = [i.payload for i in read_inputs(sample_files())]
    pipeline.produce([*payloads, b"", b"[1]"])  # two dead letters
    assert len(pipeline.collect(pipeline.settings.topics.enriched, len(payloads))) == len(payloads)
    pipeline.wait_ready(enrich)
    names = exported(scrape(pipeline, ingest)) | exported(scrape(pipeline, enrich))
    used = used_metrics()
    assert {m for m in used if m.startswith("kube_")} == FROM_KUBERNETES
    missing = sorted(m for m in used - FROM_KUBERNETES if m not in names)
    assert not missing, f"the dashboard or alerts read metrics no worker exports: {missing}"
    # the process collector's series, which the memory and CPU panels read, are really there
    assert {"process_resident_memory_bytes", "process_cpu_seconds_total"} <= names
    assert pipeline.stop_all() == [0, 0]


def test_the_exported_check_can_fail() -> None:
    text = "# HELP newsflow_x_total x\n# TYPE newsflow_x_total counter\nnewsflow_x_total 1.0\n"
    assert exported(text) == {"newsflow_x_total"}
    assert "newsflow_messages_total" not in exported(text)


def test_stuck_stage_and_dead_letter_alerts_fire_on_scraped_values(pipeline: Pipeline) -> None:
    expr = rules()["NewsflowStageStuck"]
    # the Python logic above mirrors these parts of the rule
    assert 'newsflow_messages_total{stage="ingest", outcome="published"}' in expr
    assert (
        "unless on (namespace, stage)" in expr and 'outcome="published"' in expr.split("unless")[1]
    )
    assert "> 0.05" in rules()["NewsflowDeadLetterRateHigh"]
    payloads = [i.payload for i in read_inputs(sample_files())]
    normalized = pipeline.settings.topics.normalized

    # enrich is not running: ingest publishes, enrich publishes nothing -> stuck
    ingest = pipeline.start_worker("ingest")
    pipeline.wait_ready(ingest)
    pipeline.produce(payloads[:2])
    assert len(pipeline.collect(normalized, 2)) == 2
    before = samples(scrape(pipeline, ingest))
    time.sleep(2)
    pipeline.produce([*payloads[2:4], b"", b"[1]", b"[2]"])  # 3 of 5 dead-lettered: 60%
    assert len(pipeline.collect(normalized, 4)) == 4
    deadline = time.monotonic() + 60
    while increase(before, after := samples(scrape(pipeline, ingest)),
                   "newsflow_messages_total", stage="ingest") < 5:  # fmt: skip
        assert time.monotonic() < deadline, "ingest never counted the second batch"
        time.sleep(0.5)
    assert stuck_stages(before, after) == {"enrich"}
    assert dead_letter_share(before, after, "ingest") == pytest.approx(0.6)
    assert dead_letter_share(before, after, "ingest") > 0.05  # the rule's default threshold

    # enrich running and caught up: nothing is stuck, and good input dead-letters nothing
    enrich = pipeline.start_worker("enrich")
    enriched = pipeline.settings.topics.enriched
    assert len(pipeline.collect(enriched, 4)) == 4
    before = samples(scrape(pipeline, ingest), scrape(pipeline, enrich))
    time.sleep(2)
    pipeline.produce(payloads[:2])  # again: each is handled again
    assert len(pipeline.collect(enriched, 6)) == 6
    deadline = time.monotonic() + 60
    while increase(before, after := samples(scrape(pipeline, ingest), scrape(pipeline, enrich)),
                   "newsflow_messages_total", stage="enrich", outcome="published") < 2:  # fmt: skip
        assert time.monotonic() < deadline, "enrich never counted the third batch"
        time.sleep(0.5)
    assert stuck_stages(before, after) == set()
    assert dead_letter_share(before, after, "ingest") == 0
    assert dead_letter_share(before, after, "enrich") == 0
    assert pipeline.stop_all() == [0, 0]
