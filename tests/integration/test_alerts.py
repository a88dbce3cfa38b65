"""Each alert of deploy/observability/prometheusrule.yaml whose condition can be made locally is
made by real workers, and its expression, evaluated in Python on /metrics scrapes as Prometheus
would hold them, comes true; where it is cheap, it is false on the same workers when healthy.

No maintained PromQL evaluator runs in-process from PyPI (test_observability.py), so each rule's
logic is mirrored below. Each test first checks that the rule still reads as the Python mirrors,
and takes its threshold from it: a changed rule breaks the test, not the alert. The rules' range
windows (5 to 10 minutes) and `for:` durations (5 to 15 minutes) are not waited out; the window
here is the test's own few seconds between two scrapes.

* NewsflowEndToEndLatencyHigh, produced: raw messages written with a Kafka timestamp twice
  the threshold in the past (latency is measured from the raw record's timestamp) put the p99 of
  newsflow_end_to_end_seconds, computed from the scraped bucket increases with Prometheus's
  histogram_quantile, above the threshold; fresh messages keep it below.
* NewsflowPodNotReady, produced twice: a worker scraped before it has joined its group, and
  both workers while their broker is paused (SIGSTOP; embedded broker only), export
  newsflow_ready 0; once ready (again), 1.
* NewsflowPublishRetries, produced (embedded broker only): while the broker is paused, sends time
  out (NEWSFLOW_PRODUCER_REQUEST_TIMEOUT=1: the default 30 s per try makes the first retry come
  after 30 s) and are retried: the retry rate is above the threshold; before the pause it is 0.
* NewsflowConsumerLagGrowing, produced: the threshold plus 200 messages, then 100 more, on the
  enrich stage's input while its group commits nothing (NEWSFLOW_COMMIT_INTERVAL beyond the
  test): newsflow_consumer_lag, the broker's end offsets minus the group's committed offsets as
  the worker refreshes it (NEWSFLOW_LAG_INTERVAL), is over the threshold and growing. That is
  what a stalled stage looks like to Kafka and to the gauge, which cannot tell a stage that
  handles nothing from one that never commits; the slow stage itself is not produced (that
  would take the threshold's worth of NER work). The ingest worker, committing as usual, has
  handled the same amount on its input, and its lag is back under the threshold.
* NewsflowStageStuck: its ingest branch (enrich gets input, publishes nothing) is produced in
  test_observability.py; its lag branch is evaluated here on the lag scrapes above, where enrich
  only dead-letters (publishes nothing) while its lag grows, and ingest's lag falls.
* NewsflowDeadLetterRateHigh: produced in test_observability.py.
* NewsflowCrashLooping: not produced. It reads kube-state-metrics' restart counter of a pod's
  container, which only Kubernetes makes. What makes the restarts is tested in test_faults.py: a
  crashed agent ends its worker with exit 70
  (test_an_agent_that_crashes_takes_its_process_down), and a stuck message ends it with 71 three
  times, restarted by `worker --service all` each time
  (test_a_stuck_message_ends_its_worker_and_the_supervisor_restarts_it)."""

from __future__ import annotations

import asyncio
import math
import os
import re
import signal
import subprocess
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from aiokafka import AIOKafkaProducer

from newsflow.broker import EmbeddedBroker
from newsflow.corpus import corpus
from newsflow.kafka import client_options, connect
from newsflow.settings import Settings
from tests.integration.conftest import Pipeline, make_pipeline
from tests.integration.test_observability import Samples, increase, rules, samples, scrape, total

pytestmark = pytest.mark.integration

Worker = subprocess.Popen[bytes]
T = TypeVar("T")


@dataclass
class Scrape:
    """One scrape of each worker (a pod, to the rules) at one moment."""

    at: float  # time.monotonic()
    pods: dict[str, Samples]


def scrape_pods(pipeline: Pipeline, workers: dict[str, Worker]) -> Scrape:
    return Scrape(
        time.monotonic(), {pod: samples(scrape(pipeline, w)) for pod, w in workers.items()}
    )


def rule(alert: str, template: str) -> dict[str, str]:
    """The alert's expression must read ``template`` (whitespace aside), where ``{name}`` stands
    for a number or a range the rule may change: returns them by name. Anything else changed in
    the rule fails here, since the Python below mirrors that text."""
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[0-9.]+[smh]?)", re.escape(template))
    text = " ".join(rules()[alert].split())
    found = re.fullmatch(pattern, text)
    assert found, f"{alert} no longer reads as this test mirrors it:\n{text}\nexpected\n{template}"
    return found.groupdict()


# --- PromQL functions, as Prometheus computes them ------------------------------------------


def histogram_quantile(q: float, buckets: dict[float, float]) -> float:
    """Prometheus's histogram_quantile over classic buckets (upper bound -> cumulative count):
    the bucket the rank falls in, linear interpolation inside it (the first bucket starts at 0);
    a rank in the +Inf bucket gives the highest finite bound; no +Inf bucket or no observations
    give NaN (promql/quantile.go, bucketQuantile)."""
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    bounds = sorted(buckets)
    if len(bounds) < 2 or bounds[-1] != math.inf:
        return math.nan
    counts: list[float] = []
    for b in bounds:  # counts can only rise with the bound (Prometheus forces it too)
        counts.append(max(buckets[b], counts[-1] if counts else 0.0))
    observations = counts[-1]
    if observations == 0:
        return math.nan
    rank = q * observations
    i = next((i for i, c in enumerate(counts[:-1]) if c >= rank), len(counts) - 1)
    if i == len(counts) - 1:
        return bounds[-2]
    if i == 0 and bounds[0] <= 0:
        return bounds[0]
    start, below = (0.0, 0.0) if i == 0 else (bounds[i - 1], counts[i - 1])
    return start + (bounds[i] - start) * (rank - below) / (counts[i] - below)


def deriv(points: Sequence[tuple[float, float]]) -> float:
    """Prometheus's deriv: the slope of the least-squares line through (time, value)."""
    n = len(points)
    assert n >= 2, "deriv needs two samples"
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    cov = sum((t - mean_t) * (v - mean_v) for t, v in points)
    var = sum((t - mean_t) ** 2 for t, _ in points)
    return cov / var


# --- the rules' logic on scrapes ----------------------------------------------------------------


def series(scrape: Scrape, name: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of ``name`` in a scrape, keyed by pod and labels."""
    return {(pod, labels): v for pod, held in scrape.pods.items()
            for (n, labels), v in held.items() if n == name}  # fmt: skip


def not_ready(now: Scrape) -> set[str]:
    """NewsflowPodNotReady: ``max by (namespace, pod) (newsflow_ready) == 0``."""
    ready: dict[str, float] = {}
    for (pod, _), v in series(now, "newsflow_ready").items():
        ready[pod] = max(ready.get(pod, -math.inf), v)
    return {pod for pod, v in ready.items() if v == 0}


def retrying(first: Scrape, last: Scrape, threshold: float) -> set[str]:
    """NewsflowPublishRetries: ``sum by (namespace, stage) (rate(retries)) > threshold``."""
    rate: dict[str, float] = defaultdict(float)
    for (pod, labels), v in series(last, "newsflow_publish_retries_total").items():
        before = series(first, "newsflow_publish_retries_total").get((pod, labels), 0.0)
        rate[dict(labels)["stage"]] += (v - before) / (last.at - first.at)
    return {stage for stage, r in rate.items() if r > threshold}


def end_to_end_quantile(first: Scrape, last: Scrape, q: float) -> float:
    """``histogram_quantile(q, sum by (le) (rate(newsflow_end_to_end_seconds_bucket[w])))``: a
    rate is the increase over the window divided by its length, which the quantile ignores."""
    buckets: dict[float, float] = defaultdict(float)
    before = series(first, "newsflow_end_to_end_seconds_bucket")
    for (pod, labels), v in series(last, "newsflow_end_to_end_seconds_bucket").items():
        buckets[float(dict(labels)["le"])] += v - before.get((pod, labels), 0.0)
    return histogram_quantile(q, buckets)


def _lag(scrapes: Iterable[Scrape]) -> dict[tuple[str, str, str], list[tuple[float, float]]]:
    """Each pod's lag series, (pod, topic, partition) -> [(time, value)]."""
    held: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
    for s in scrapes:
        for (pod, labels), v in series(s, "newsflow_consumer_lag").items():
            ls = dict(labels)
            held[(pod, ls["topic"], ls["partition"])].append((s.at, v))
    return held


def lag_growing(scrapes: Sequence[Scrape], threshold: float) -> set[str]:
    """NewsflowConsumerLagGrowing: per topic, the sum over partitions of the highest lag any pod
    reports (now: the last scrape) is over the threshold, and the sum over partitions of the
    highest slope (deriv over the scrapes) is above 0."""
    level: dict[tuple[str, str], float] = {}
    slope: dict[tuple[str, str], float] = {}
    for (_, topic, partition), points in _lag(scrapes).items():
        if points[-1][0] == scrapes[-1].at:  # the series is still there now
            key = (topic, partition)
            level[key] = max(level.get(key, -math.inf), points[-1][1])
            if len(points) >= 2:
                slope[key] = max(slope.get(key, -math.inf), deriv(points))
    topics = {topic for topic, _ in level}
    return {t for t in topics
            if sum(v for (topic, _), v in level.items() if topic == t) > threshold
            and sum(v for (topic, _), v in slope.items() if topic == t) > 0}  # fmt: skip


def stuck_by_lag(first: Scrape, last: Scrape) -> set[str]:
    """NewsflowStageStuck's lag branch: each pod's lag series' change over the window, joined to
    the pod's stage through its newsflow_build_info (``* on (namespace, pod) group_left
    (stage)``), summed by stage and above 0; ``unless`` the stage published anything."""
    stage_of = {pod: dict(labels)["stage"] for (pod, labels) in series(last, "newsflow_build_info")}
    grown: dict[str, float] = defaultdict(float)
    for (pod, _, _), points in _lag([first, last]).items():
        if len(points) == 2:  # delta needs the series in both scrapes
            grown[stage_of[pod]] += points[1][1] - points[0][1]
    published = {stage: sum(increase(first.pods[p], last.pods[p], "newsflow_messages_total",
                                     stage=stage, outcome="published") for p in last.pods)
                 for stage in grown}  # fmt: skip
    return {stage for stage, g in grown.items() if g > 0 and published[stage] <= 0}


# --- making the conditions ----------------------------------------------------------------------


async def _send(
    settings: Settings, topic: str, payloads: list[bytes], *, timestamp: float | None = None,
    partitions: int | None = None,
) -> None:  # fmt: skip
    """Write ``payloads`` to ``topic`` with Kafka timestamp ``timestamp`` (seconds; now when
    None), spread over ``partitions`` partitions in turn when given (else the client picks)."""
    producer = AIOKafkaProducer(**client_options(settings), acks="all", linger_ms=5)
    await connect(producer, settings, timeout=15, close=producer.stop)
    try:
        at = None if timestamp is None else int(timestamp * 1000)
        sent = [await producer.send(topic, value=v, timestamp_ms=at,
                                    partition=None if partitions is None else i % partitions)
                for i, v in enumerate(payloads)]  # fmt: skip
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


def fill(pipeline: Pipeline, topic: str, n: int) -> None:
    """``n`` small messages on ``topic`` (each a dead letter to the stage reading it), then one
    more on each partition on its own: the embedded broker reports a partition's end offset as
    the first offset of its last batch plus one, so that last batch is a single record there and
    the lag figure is exact (as it is on Apache Kafka whatever the batches)."""
    partitions = pipeline.settings.partitions
    asyncio.run(_send(pipeline.settings, topic, [b"x"] * n, partitions=partitions))
    asyncio.run(_send(pipeline.settings, topic, [b"x"] * partitions, partitions=partitions))


def wait_for(what: str, check: Callable[[], T | None], timeout: float = 60.0) -> T:
    """Call ``check`` until it returns something true (returned), failing after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not (got := check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)
    return got


# --- the tests ----------------------------------------------------------------------------------


def test_histogram_quantile_and_deriv_compute_as_prometheus_does() -> None:
    inf = math.inf
    assert histogram_quantile(0.5, {1.0: 10, 2.0: 20, inf: 20}) == 1.0
    assert histogram_quantile(0.75, {1.0: 10, 2.0: 20, inf: 20}) == 1.5  # halfway into (1, 2]
    assert histogram_quantile(0.25, {1.0: 10, 2.0: 20, inf: 20}) == 0.5  # (0, 1] from 0
    assert histogram_quantile(0.99, {60.0: 0, 300.0: 5, inf: 5}) == pytest.approx(297.6)
    assert histogram_quantile(0.99, {1.0: 0, 2.0: 1, inf: 5}) == 2.0  # in +Inf: highest bound
    assert math.isnan(histogram_quantile(0.99, {1.0: 0, inf: 0}))  # nothing observed
    assert math.isnan(histogram_quantile(0.5, {1.0: 1, 2.0: 2}))  # no +Inf bucket
    assert deriv([(0, 1), (1, 3), (2, 5)]) == 2.0
    assert deriv([(0, 0), (1, 2), (2, 1)]) == 0.5  # least squares, not last minus first
    assert deriv([(10, 7), (12, 7)]) == 0.0


def test_latency_not_ready_and_lag_alerts_fire_on_scraped_values(pipeline: Pipeline) -> None:
    latency = rule("NewsflowEndToEndLatencyHigh", "histogram_quantile({q}, sum by (namespace, le)"
                   " (rate(newsflow_end_to_end_seconds_bucket[{w}]))) > {max}")  # fmt: skip
    q, latency_max = float(latency["q"]), float(latency["max"])
    rule("NewsflowPodNotReady", "max by (namespace, pod) (newsflow_ready) == 0")
    lag_max = float(rule("NewsflowConsumerLagGrowing",
        "sum by (namespace, topic) (max by (namespace, topic, partition) (newsflow_consumer_lag))"
        " > {max} and sum by (namespace, topic) (max by (namespace, topic, partition)"
        " (deriv(newsflow_consumer_lag[{w}]))) > 0")["max"])  # fmt: skip
    stuck = " ".join(rules()["NewsflowStageStuck"].split())
    assert ("sum by (namespace, stage) ( delta(newsflow_consumer_lag[5m]) * on (namespace, pod)"
            " group_left (stage) max by (namespace, pod, stage) (newsflow_build_info) ) > 0"
            in stuck and "unless on (namespace, stage)" in stuck), stuck  # fmt: skip
    settings = pipeline.settings
    pipeline.env = {**pipeline.env, "NEWSFLOW_LAG_INTERVAL": "0.5"}

    # a worker that has not joined its group yet is not ready, and says so
    ingest = pipeline.start_worker("ingest")
    answer = wait_for("the ingest worker's /metrics", lambda: pipeline.web(ingest, "/metrics"))
    assert not_ready(Scrape(time.monotonic(), {"ingest": samples(answer[1].decode())})) == {
        "ingest"
    }, "newsflow_ready was not 0 before the worker was ready"
    # enrich's group commits nothing during this test (the lag part below)
    pipeline.env = {**pipeline.env, "NEWSFLOW_COMMIT_INTERVAL": "3600"}
    enrich = pipeline.start_worker("enrich")
    pipeline.wait_ready(ingest)
    pipeline.wait_ready(enrich)
    workers = {"ingest": ingest, "enrich": enrich}
    assert not_ready(scrape_pods(pipeline, workers)) == set()

    # end-to-end latency: fresh raw messages, then raw messages twice the threshold old
    def enriched(since: Scrape, n: int) -> Scrape | None:
        now = scrape_pods(pipeline, workers)
        done = increase(
            since.pods["enrich"], now.pods["enrich"], "newsflow_end_to_end_seconds_count"
        )
        return now if done >= n else None

    before = scrape_pods(pipeline, workers)
    asyncio.run(_send(settings, settings.topics.raw, corpus(4, start=30_000)))
    after = wait_for("4 fresh articles enriched", lambda: enriched(before, 4))
    fresh = end_to_end_quantile(before, after, q)
    assert fresh < latency_max, f"p{q * 100:g} of fresh articles: {fresh} s"
    before = after
    old = time.time() - 2 * latency_max
    asyncio.run(_send(settings, settings.topics.raw, corpus(4, start=30_004), timestamp=old))
    after = wait_for("4 old articles enriched", lambda: enriched(before, 4))
    late = end_to_end_quantile(before, after, q)
    assert late > latency_max, f"p{q * 100:g} of articles {2 * latency_max:g} s old: {late} s"

    # lag: the threshold and 200 more on both stages' inputs; ingest commits, enrich does not
    for topic in (settings.topics.raw, settings.topics.normalized):
        fill(pipeline, topic, int(lag_max) + 200)

    def enrich_lag(now: Scrape) -> float:
        return total(now.pods["enrich"], "newsflow_consumer_lag", topic=settings.topics.normalized)

    first = wait_for(f"enrich's lag over {lag_max:g}", lambda: (
        s if enrich_lag(s := scrape_pods(pipeline, workers)) > lag_max else None))  # fmt: skip
    fill(pipeline, settings.topics.normalized, 100)  # input keeps arriving

    def alerts() -> Scrape | None:
        now = scrape_pods(pipeline, workers)
        fired = (lag_growing([first, now], lag_max), stuck_by_lag(first, now))
        return now if fired == ({settings.topics.normalized}, {"enrich"}) else None

    try:
        last = wait_for("the lag alerts on enrich's input alone", alerts, timeout=30)
    finally:
        now = scrape_pods(pipeline, workers)
        print(f"lag of normalized {enrich_lag(first):g} -> {enrich_lag(now):g}, of raw "
              f"{total(first.pods['ingest'], 'newsflow_consumer_lag'):g} -> "
              f"{total(now.pods['ingest'], 'newsflow_consumer_lag'):g}")  # fmt: skip

    # the healthy stage: ingest handles all of raw and commits, and its lag does not alert
    def ingest_done() -> Scrape | None:
        now = scrape_pods(pipeline, workers)
        handled = total(now.pods["ingest"], "newsflow_messages_total")
        return now if handled >= lag_max + 200 else None

    done = wait_for("ingest to handle all of raw", ingest_done)
    assert settings.topics.raw not in lag_growing([last, done], lag_max)
    assert pipeline.stop_all() == [0, 0]


def test_publish_retry_and_not_ready_alerts_fire_while_the_broker_is_paused(
    own_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    retries_rule = rule("NewsflowPublishRetries", "sum by (namespace, stage)"
                        " (rate(newsflow_publish_retries_total[{w}])) > {max}")  # fmt: skip
    retry_max = float(retries_rule["max"])
    rule("NewsflowPodNotReady", "max by (namespace, pod) (newsflow_ready) == 0")
    pipeline = make_pipeline(own_broker.bootstrap, tmp_path)
    pipeline.env = {**pipeline.env, "NEWSFLOW_PRODUCER_REQUEST_TIMEOUT": "1"}
    try:
        workers = {"ingest": pipeline.start_worker("ingest"),
                   "enrich": pipeline.start_worker("enrich")}  # fmt: skip
        for w in workers.values():
            pipeline.wait_ready(w)
        healthy = scrape_pods(pipeline, workers)
        pipeline.produce(corpus(1500, start=40_000))  # a backlog: both stages keep sending
        wait_for("enrich publishing", lambda: total(
            scrape_pods(pipeline, workers).pods["enrich"], "newsflow_messages_total",
            stage="enrich", outcome="published") > 0)  # fmt: skip
        paused = scrape_pods(pipeline, workers)
        assert retrying(healthy, paused, retry_max) == set()
        assert not_ready(paused) == set()

        assert own_broker.process is not None
        pid = own_broker.process.pid
        os.kill(pid, signal.SIGSTOP)
        try:
            during = wait_for("retries and readiness 0 while the broker is paused", lambda: (
                s if "enrich" in retrying(paused, s := scrape_pods(pipeline, workers), retry_max)
                and not_ready(s) == {"ingest", "enrich"} else None), timeout=40)  # fmt: skip
        finally:
            os.kill(pid, signal.SIGCONT)
        name = "newsflow_publish_retries_total"
        retries = {pod: increase(paused.pods[pod], during.pods[pod], name) for pod in workers}
        print(f"broker paused {during.at - paused.at:.1f} s: retries {retries}")
        for w in workers.values():
            pipeline.wait_ready(w)
        assert not_ready(scrape_pods(pipeline, workers)) == set()
        assert pipeline.stop_all() == [0, 0]
    finally:
        pipeline.stop_all()
