"""deploy/ checked offline: every overlay renders with kustomize, every resource validates
against the Kubernetes schemas, every container has the security settings we promise, everything
lands in the overlay's own Namespace, and each KafkaUser may do exactly what its client does
(the operators' user is checked against what `deadletters` and `replay` really ask of Kafka)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import kubernetes_validate
import pytest
import yaml

import newsflow.client
import newsflow.deadletters
import newsflow.deadletters.originals
from newsflow.deadletters import read_dead_letters, replay, stage_input
from newsflow.schemas import DeadLetter
from newsflow.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
RUNBOOK = DEPLOY / "README.md"
OVERLAYS = ["dev", "prod"]
KUBERNETES = "1.33.0"
# Custom resources: their schemas ship with their operators, not with kubernetes-validate, so
# they are checked below for the fields newsflow relies on instead.
CRD_GROUPS = {"kafka.strimzi.io", "keda.sh", "monitoring.coreos.com"}


def render(overlay: str) -> list[dict[str, Any]]:
    kubectl = Path(sys.executable).parent / "kubectl"
    out = subprocess.run([str(kubectl), "kustomize", str(DEPLOY / "overlays" / overlay)],
                         capture_output=True, check=True, timeout=60)  # fmt: skip
    return [d for d in yaml.safe_load_all(out.stdout) if d]


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request: pytest.FixtureRequest) -> tuple[str, list[dict[str, Any]]]:
    return request.param, render(request.param)


def of_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


def newsflow_config(docs: list[dict[str, Any]]) -> dict[str, Any]:
    """The generated ConfigMap of NEWSFLOW_* settings (prod also has KEDA's small one)."""
    (cm,) = [c for c in of_kind(docs, "ConfigMap")
             if c["metadata"]["name"].startswith("newsflow-config-")]  # fmt: skip
    return cm


def acls(user: dict[str, Any]) -> set[tuple[str, str | None, str]]:
    """A KafkaUser's ACLs as (resource type, name, operation); a cluster has no name."""
    return {(a["resource"]["type"], a["resource"].get("name"), op)
            for a in user["spec"]["authorization"]["acls"] for op in a["operations"]}  # fmt: skip


def test_builtin_resources_validate_against_kubernetes_schemas(rendered) -> None:  # type: ignore[no-untyped-def]  # pytest injects the fixture
    _, docs = rendered
    checked = 0
    for doc in docs:
        if doc["apiVersion"].split("/")[0] in CRD_GROUPS:
            continue
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)
        checked += 1
    assert checked >= 9


def test_the_schema_check_can_fail() -> None:
    (deployment,) = [d for d in render("dev") if d["kind"] == "Deployment"][:1]
    deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolicie"] = "Always"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES, strict=True)


def test_every_container_is_locked_down(rendered) -> None:  # type: ignore[no-untyped-def]  # pytest injects the fixture
    _, docs = rendered
    deployments = of_kind(docs, "Deployment")
    assert {d["metadata"]["name"] for d in deployments} == {"newsflow-ingest", "newsflow-enrich"}
    for d in deployments:
        assert d["apiVersion"] == "apps/v1"
        pod = d["spec"]["template"]["spec"]
        assert pod["automountServiceAccountToken"] is False
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        assert pod["topologySpreadConstraints"]
        for c in pod["containers"]:
            sc = c["securityContext"]
            assert sc["runAsNonRoot"] is True
            assert sc["readOnlyRootFilesystem"] is True
            assert sc["allowPrivilegeEscalation"] is False
            assert sc["capabilities"]["drop"] == ["ALL"]
            assert sc["seccompProfile"]["type"] == "RuntimeDefault"
            assert {"requests", "limits"} <= c["resources"].keys()
            assert {"cpu", "memory"} <= c["resources"]["limits"].keys()
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                assert probe in c, f"{d['metadata']['name']} lacks {probe}"
            assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
            assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"


def test_credentials_only_from_secrets(rendered) -> None:  # type: ignore[no-untyped-def]  # pytest injects the fixture
    _, docs = rendered
    assert not of_kind(docs, "Secret"), "secrets are never in the manifests"
    for d in of_kind(docs, "Deployment"):
        for c in d["spec"]["template"]["spec"]["containers"]:
            for env in c.get("env", []):
                if "PASSWORD" in env["name"]:
                    assert "secretKeyRef" in env["valueFrom"], env
    for cm in of_kind(docs, "ConfigMap"):
        assert not any("PASSWORD" in k for k in cm["data"])


def test_configuration_is_generated_valid_and_drains_in_time(
    rendered, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]  # pytest injects the fixture
    _, docs = rendered
    cm = newsflow_config(docs)  # its name is hashed: a change rolls the pods
    for key, value in cm["data"].items():
        monkeypatch.setenv(key, value)
    if ca := cm["data"].get("NEWSFLOW_SECURITY__SSL_CAFILE"):
        # Settings check the CA file exists at start: every pod mounts it there (a Secret
        # volume), and this test stands a file in for it
        for d in of_kind(docs, "Deployment"):
            mounts = [m["mountPath"] for c in d["spec"]["template"]["spec"]["containers"]
                      for m in c.get("volumeMounts", [])]  # fmt: skip
            assert any(ca.startswith(m.rstrip("/") + "/") for m in mounts), (ca, mounts)
        stand_in = tmp_path / Path(ca).name
        stand_in.write_text("a CA certificate")
        monkeypatch.setenv("NEWSFLOW_SECURITY__SSL_CAFILE", str(stand_in))
    monkeypatch.setenv("NEWSFLOW_SECURITY__SASL_USERNAME", "u")  # from the Deployment / Secret
    monkeypatch.setenv("NEWSFLOW_SECURITY__SASL_PASSWORD", "p")
    settings = Settings()  # every value in the ConfigMap is a valid setting
    assert all(
        k[len("NEWSFLOW_") :].lower().split("__")[0] in Settings.model_fields for k in cm["data"]
    )
    for d in of_kind(docs, "Deployment"):
        pod = d["spec"]["template"]["spec"]
        assert pod["terminationGracePeriodSeconds"] > settings.shutdown_grace
        refs = [e["configMapRef"]["name"] for c in pod["containers"] for e in c["envFrom"]]
        assert refs == [cm["metadata"]["name"]]


def test_topics_take_the_largest_record_newsflow_writes(rendered) -> None:  # type: ignore[no-untyped-def]  # pytest injects the fixture
    """A topic that refuses what newsflow may write turns outputs into dead letters: every
    topic's max.message.bytes is the ConfigMap's NEWSFLOW_LIMITS__MAX_MESSAGE_BYTES (the replay
    log holds only small records of its own)."""
    _, docs = rendered
    cm = newsflow_config(docs)
    limit = int(cm["data"]["NEWSFLOW_LIMITS__MAX_MESSAGE_BYTES"])
    assert limit == Settings().limits.max_message_bytes
    for topic in of_kind(docs, "KafkaTopic"):
        if topic["metadata"]["name"] != "articles.replayed":
            assert int(topic["spec"]["config"]["max.message.bytes"]) == limit


def test_topics_users_and_acls_match_the_settings(rendered) -> None:  # type: ignore[no-untyped-def]  # pytest injects the fixture
    overlay, docs = rendered
    defaults = Settings()
    topics = {t["metadata"]["name"]: t["spec"] for t in of_kind(docs, "KafkaTopic")}
    assert set(topics) == set(defaults.topics.all())
    assert all(
        t["metadata"]["labels"]["strimzi.io/cluster"] == "news" for t in of_kind(docs, "KafkaTopic")
    )
    assert topics["articles.enriched"]["config"]["cleanup.policy"] == "compact,delete"
    assert topics["articles.replayed"]["config"]["cleanup.policy"] == "compact"
    replicas = {spec["replicas"] for spec in topics.values()}
    assert replicas == ({3} if overlay == "prod" else {1})
    users = {u["metadata"]["name"]: u for u in of_kind(docs, "KafkaUser")}
    allowed = {
        "newsflow-ingest": {("topic", "articles.raw", "Read"), ("group", "newsflow-ingest", "Read"),
                            ("topic", "articles.normalized", "Write"), ("topic", "articles.deadletter", "Write")},
        "newsflow-enrich": {("topic", "articles.normalized", "Read"), ("group", "newsflow-enrich", "Read"),
                            ("topic", "articles.enriched", "Write"), ("topic", "articles.deadletter", "Write")},
        # `deadletters` and `replay`: exactly (test_ops_user_grants_what_the_commands_do_and_nothing_more)
        "newsflow-ops": {("topic", "articles.deadletter", "Read"),
                         ("topic", "articles.replayed", "Read"), ("topic", "articles.replayed", "Write"),
                         ("topic", "articles.raw", "Read"), ("topic", "articles.raw", "Write"),
                         ("topic", "articles.normalized", "Read"), ("topic", "articles.normalized", "Write")},
    }  # fmt: skip
    if overlay == "prod":  # describe only: test_keda_reads_lag_as_its_own_describe_only_user
        allowed["newsflow-keda"] = set()
    assert set(users) == set(allowed)
    for name, user in users.items():
        granted = acls(user)
        assert allowed[name] <= granted
        writes = {(t, n) for t, n, op in granted if op == "Write"}
        assert writes == {(t, n) for t, n, op in allowed[name] if op == "Write"}  # nothing more
        assert user["spec"]["authentication"]["type"] == "scram-sha-512"
        assert user["metadata"]["labels"]["strimzi.io/cluster"] == "news"


def test_autoscaling_per_overlay(rendered) -> None:  # type: ignore[no-untyped-def]  # pytest injects the fixture
    overlay, docs = rendered
    hpas, scaled = of_kind(docs, "HorizontalPodAutoscaler"), of_kind(docs, "ScaledObject")
    if overlay == "prod":
        assert not hpas  # KEDA owns the HPAs there
        triggers = {
            s["metadata"]["name"]: {t["type"] for t in s["spec"]["triggers"]} for s in scaled
        }
        assert triggers == {
            "newsflow-ingest": {"kafka", "cpu"},
            "newsflow-enrich": {"kafka", "cpu"},
        }
        groups = {s["spec"]["triggers"][0]["metadata"]["consumerGroup"] for s in scaled}
        assert groups == {"newsflow-ingest", "newsflow-enrich"}
    else:
        assert {h["spec"]["scaleTargetRef"]["name"] for h in hpas} == {
            "newsflow-ingest",
            "newsflow-enrich",
        }
        assert not scaled
    assert len(of_kind(docs, "PodDisruptionBudget")) == 2
    (policy,) = of_kind(docs, "NetworkPolicy")
    assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert of_kind(docs, "ServiceMonitor")


# --- the operators' user: what `newsflow deadletters` and `newsflow replay` ask of Kafka ---


class FakeKafka:
    """Stands in for aiokafka under `deadletters` and `replay`: holds records per topic and
    partition, and notes every read and write and every client's group and producer options
    (what a broker's authorizer would check them against)."""

    def __init__(self, records: dict[tuple[str, int], list[tuple[bytes | None, bytes]]]) -> None:
        self.records = records
        self.reads: set[str] = set()
        self.writes: set[str] = set()
        self.clients: list[dict[str, Any]] = []

    def record(self, topic: str, partition: int, offset: int) -> SimpleNamespace:
        key, value = self.records[(topic, partition)][offset]
        return SimpleNamespace(topic=topic, partition=partition, offset=offset, key=key,
                               value=value)  # fmt: skip

    def consumer(self) -> type:
        kafka = self

        class Consumer:
            def __init__(self, *topics: str, **options: Any) -> None:
                kafka.clients.append(options)
                self.topics, self.assigned, self.position = list(topics), [], {}
                self.handed: set[str] = set()

            async def start(self) -> None:
                pass

            async def stop(self) -> None:
                pass

            def assign(self, partitions: list[Any]) -> None:
                self.topics, self.assigned = [], list(partitions)

            def seek(self, tp: Any, offset: int) -> None:
                self.position[tp] = offset

            async def getmany(self, *partitions: Any, timeout_ms: int = 0) -> dict[Any, list[Any]]:
                await asyncio.sleep(0.001)
                batches: dict[Any, list[Any]] = {}
                for topic in self.topics:  # subscribed: every record once
                    kafka.reads.add(topic)
                    if topic not in self.handed:
                        self.handed.add(topic)
                        for (t, p), values in kafka.records.items():
                            if t == topic:
                                batches[(t, p)] = [kafka.record(t, p, o)
                                                   for o in range(len(values))]  # fmt: skip
                for tp in partitions or self.assigned:  # assigned: from the position sought
                    kafka.reads.add(tp.topic)
                    batches[tp] = [kafka.record(tp.topic, tp.partition, self.position[tp])]
                return batches

        return Consumer

    def producer(self) -> type:
        kafka = self

        class Producer:
            def __init__(self, **options: Any) -> None:
                kafka.clients.append(options)

            async def start(self) -> None:
                pass

            async def stop(self) -> None:
                pass

            async def send(self, topic: str, key: bytes | None, value: bytes) -> Any:
                kafka.writes.add(topic)
                stored = kafka.records.setdefault((topic, 0), [])
                stored.append((key, value))
                sent: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
                sent.set_result(SimpleNamespace(topic=topic, partition=0, offset=len(stored) - 1))
                return sent

        return Producer


def _truncated_letter(stage: str, settings: Settings, offset: int) -> tuple[bytes, bytes]:
    """A dead letter that keeps only a prefix of its input, so replay reads the whole
    original back from the stage's input topic; and that original."""
    original = b'{"content": "' + b"x" * 300 + b'"}'
    letter = DeadLetter(
        stage=stage,  # type: ignore[arg-type]  # test data: a literal where the model converts it
        error_code="too_large", reason="r", original=original[:50], original_size=len(original),
        original_sha256=hashlib.sha256(original).hexdigest(), original_truncated=True,
        original_key=b"k", source_topic=stage_input(settings, stage),  # type: ignore[arg-type]  # same
        source_partition=0, source_offset=offset, failed_at=datetime(2025, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    return letter.model_dump_json().encode(), original


async def test_ops_user_grants_what_the_commands_do_and_nothing_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Runs `deadletters`' read and a whole `replay` (a truncated letter of each stage: its
    original read back from the input, sent there, recorded on the replay log) against a fake
    Kafka, with the settings of the manifests (topics managed by Strimzi), and derives the ACLs
    that takes: the ops user has exactly those, in every overlay."""
    settings = Settings(create_topics=False)
    topics = settings.topics
    letters, originals = zip(*(_truncated_letter(stage, settings, i)
                               for i, stage in enumerate(("ingest", "enrich"))), strict=True)  # fmt: skip
    kafka = FakeKafka({
        (topics.deadletter, 0): [(None, dl) for dl in letters],
        (topics.raw, 0): [(b"k", originals[0])],
        (topics.normalized, 0): [(b"?", b"other"), (b"k", originals[1])],
    })  # fmt: skip
    monkeypatch.setattr(newsflow.client, "AIOKafkaConsumer", kafka.consumer())
    monkeypatch.setattr(newsflow.deadletters.originals, "AIOKafkaConsumer", kafka.consumer())
    monkeypatch.setattr(newsflow.deadletters, "AIOKafkaProducer", kafka.producer())

    found = await read_dead_letters(settings, idle=0.05, timeout=10)  # all `deadletters` does
    assert [x.dead_letter.stage for x in found] == ["ingest", "enrich"]
    outcomes = await replay(settings, found, to=None, idle=0.05, timeout=10)
    assert [o.status for o in outcomes] == ["sent", "sent"], outcomes
    assert kafka.reads == {topics.deadletter, topics.replayed, topics.raw, topics.normalized}
    assert kafka.writes == {topics.raw, topics.normalized, topics.replayed}
    # no client joins a group or commits (no group ACL), none is idempotent or transactional
    # (no cluster IdempotentWrite, no transactional-id ACL)
    assert all(c.get("group_id", "absent") is None for c in kafka.clients if "acks" not in c)
    assert not any(c.get("enable_idempotence") or c.get("transactional_id") for c in kafka.clients)

    needed = ({("topic", t, "Read") for t in kafka.reads} | {("topic", t, "Write") for t in kafka.writes}
              | {("topic", t, "Describe") for t in kafka.reads | kafka.writes})  # fmt: skip
    for overlay in OVERLAYS:
        (ops,) = [u for u in of_kind(render(overlay), "KafkaUser")
                  if u["metadata"]["name"] == "newsflow-ops"]  # fmt: skip
        assert acls(ops) == needed, overlay


def test_the_fake_kafka_notices_a_group() -> None:
    """The group check above can fail: a consumer made with a group is seen."""
    kafka = FakeKafka({})
    consumer = kafka.consumer()
    consumer("articles.deadletter", group_id="newsflow-ops")
    assert kafka.clients[0]["group_id"] == "newsflow-ops"


# --- KEDA: lag read by its own describe-only user ---


def test_keda_reads_lag_as_its_own_describe_only_user(rendered) -> None:  # type: ignore[no-untyped-def]  # pytest injects the fixture
    overlay, docs = rendered
    users = {u["metadata"]["name"]: u for u in of_kind(docs, "KafkaUser")}
    scaled = of_kind(docs, "ScaledObject")
    if overlay != "prod":
        assert not scaled
        assert "newsflow-keda" not in users  # no KEDA, no user for it
        return
    triggers = [t for s in scaled for t in s["spec"]["triggers"] if t["type"] == "kafka"]
    assert len(triggers) == 2
    # What the scaler asks the broker: Metadata and ListOffsets on the topic, FindCoordinator
    # and OffsetFetch on the group: Describe on both, nothing else
    needed = ({("topic", t["metadata"]["topic"], "Describe") for t in triggers}
              | {("group", t["metadata"]["consumerGroup"], "Describe") for t in triggers})  # fmt: skip
    assert acls(users["newsflow-keda"]) == needed
    assert {n for _, n, _ in needed} == {"articles.raw", "articles.normalized",
                                         "newsflow-ingest", "newsflow-enrich"}  # fmt: skip

    auths = {a["metadata"]["name"]: a["spec"] for a in of_kind(docs, "TriggerAuthentication")}
    config_maps = {c["metadata"]["name"]: c["data"] for c in of_kind(docs, "ConfigMap")}
    workers = {"newsflow-ingest", "newsflow-enrich"}
    for trigger in triggers:
        meta = trigger["metadata"]
        # KEDA takes the username only from a TriggerAuthentication, and refuses sasl or tls
        # given both there and in the trigger
        assert "username" not in meta and "password" not in meta
        auth = auths[trigger["authenticationRef"]["name"]]
        params = {r["parameter"]: r for r in auth.get("secretTargetRef", [])}
        by_config = {r["parameter"]: r for r in auth.get("configMapTargetRef", [])}
        assert not (set(params) | set(by_config)) & {k for k in ("sasl", "tls") if k in meta}
        assert params["password"]["name"] == "newsflow-keda"  # the User Operator's Secret
        assert params["password"]["key"] == "password"
        assert params["ca"]["name"] == "news-cluster-ca-cert"
        username = by_config["username"]
        assert config_maps[username["name"]][username["key"]] == "newsflow-keda"
        assert not {r["name"] for r in params.values()} & workers  # never a worker's credentials
        assert meta["sasl"] == "scram_sha512" and meta["tls"] == "enable"


# --- namespace: one per overlay, everything in it ---


def test_everything_is_in_the_overlays_namespace(rendered) -> None:  # type: ignore[no-untyped-def]  # pytest injects the fixture
    overlay, docs = rendered
    (namespace,) = of_kind(docs, "Namespace")
    name = namespace["metadata"]["name"]
    assert name == {"dev": "newsflow-dev", "prod": "newsflow"}[overlay]
    # the pods meet the restricted Pod Security Standard (test_every_container_is_locked_down)
    labels = namespace["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    others = [d for d in docs if d["kind"] != "Namespace"]
    assert others
    for doc in others:  # every kind newsflow ships is namespaced; Strimzi's and KEDA's too
        where = doc["metadata"].get("namespace")
        assert where == name, (doc["kind"], doc["metadata"]["name"], where)
    # so the User Operator writes each user's Secret where the pods and KEDA read it
    secrets = {v["secret"]["secretName"] for d in of_kind(docs, "Deployment")
               for v in d["spec"]["template"]["spec"]["volumes"] if "secret" in v}  # fmt: skip
    users = {u["metadata"]["name"] for u in of_kind(docs, "KafkaUser")}
    assert secrets - users == {"news-cluster-ca-cert"}  # the CA alone is copied in (runbook)


def test_the_runbook_says_how_strimzi_sees_the_namespace() -> None:
    text = RUNBOOK.read_text()
    for field in ("spec.entityOperator.topicOperator.watchedNamespace",
                  "spec.entityOperator.userOperator.watchedNamespace", "STRIMZI_NAMESPACE"):  # fmt: skip
        assert field in text, field
    for overlay in OVERLAYS:
        for doc in render(overlay):
            if doc["kind"] in {"Namespace", "KafkaUser"}:
                assert f"`{doc['metadata']['name']}`" in text, doc["metadata"]["name"]
    for variable in ("NEWSFLOW_SECURITY__SASL_USERNAME", "NEWSFLOW_SECURITY__SSL_CAFILE",
                     "NEWSFLOW_SECRETS_DIR", "NEWSFLOW_CREATE_TOPICS=false"):  # fmt: skip
        assert variable in text, variable


OBSERVABILITY = DEPLOY / "observability"
ALERTS = {"NewsflowConsumerLagGrowing", "NewsflowStageStuck", "NewsflowDeadLetterRateHigh",
          "NewsflowPodNotReady", "NewsflowPublishRetries", "NewsflowEndToEndLatencyHigh",
          "NewsflowCrashLooping"}  # fmt: skip


def runbook_anchors() -> set[str]:
    """GitHub's anchors of the runbook's headings: lower case, punctuation dropped, spaces to
    dashes."""
    headings = [line.lstrip("#").strip() for line in RUNBOOK.read_text().splitlines()
                if line.startswith("#")]  # fmt: skip
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def test_prod_ships_the_dashboard_and_the_alerts() -> None:
    docs = render("prod")
    (dashboard,) = [c for c in of_kind(docs, "ConfigMap")
                    if c["metadata"]["name"] == "newsflow-dashboard"]  # fmt: skip
    assert dashboard["metadata"]["labels"]["grafana_dashboard"] == "1"  # the sidecar's label
    assert dashboard["metadata"]["namespace"] == "newsflow"
    assert json.loads(dashboard["data"]["newsflow.json"]) == json.loads(
        (OBSERVABILITY / "dashboard.json").read_text()
    )
    (rule,) = of_kind(docs, "PrometheusRule")
    assert rule["apiVersion"] == "monitoring.coreos.com/v1"
    assert rule["metadata"]["namespace"] == "newsflow"
    assert {r["alert"] for g in rule["spec"]["groups"] for r in g["rules"]} == ALERTS
    dev = render("dev")
    assert not of_kind(dev, "PrometheusRule")  # dev has no Prometheus operator to read it


def test_the_dashboard_imports_as_is() -> None:
    """No import inputs to fill in; every query reads the `datasource` variable (a Prometheus);
    ids unique; every panel has a description (the runbook says the same)."""
    dash = json.loads((OBSERVABILITY / "dashboard.json").read_text())
    assert dash["__inputs"] == [] and dash["uid"] == "newsflow"
    variables = {v["name"]: v for v in dash["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    panels = dash["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    graphs = [p for p in panels if p["type"] != "row"]
    for p in graphs:
        assert p["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, p["title"]
        assert p["description"], p["title"]
        assert p["targets"] and all(t["expr"] for t in p["targets"]), p["title"]
        for t in p["targets"]:
            assert t["datasource"]["uid"] == "${datasource}"
            assert t["expr"].count("(") == t["expr"].count(")"), t["expr"]
    exprs = " ".join(t["expr"] for p in graphs for t in p["targets"])
    for metric in ("newsflow_messages_total", "newsflow_dead_letters_total",
                   "newsflow_processing_seconds_bucket", "newsflow_end_to_end_seconds_bucket",
                   "newsflow_consumer_lag", "newsflow_ready", "newsflow_publish_retries_total",
                   "newsflow_batch_size_bucket", "process_resident_memory_bytes",
                   "process_cpu_seconds_total", "newsflow_build_info"):  # fmt: skip
        assert metric in exprs, metric
    runbook = RUNBOOK.read_text()
    for p in graphs:  # each panel is described in the runbook by its title
        assert f"*{p['title']}*" in runbook, p["title"]


def test_every_alert_says_what_to_do_and_links_its_runbook_section() -> None:
    rule = yaml.safe_load((OBSERVABILITY / "prometheusrule.yaml").read_text())
    anchors = runbook_anchors()
    for r in (r for g in rule["spec"]["groups"] for r in g["rules"]):
        url = r["annotations"]["runbook_url"]
        assert url.split("#")[0].endswith("/deploy/README.md"), url
        assert url.split("#")[1] == r["alert"].lower() in anchors, url
        assert len(r["annotations"]["summary"]) > 40, r["alert"]
        assert r["labels"]["severity"] in {"warning", "critical"}
        assert r["expr"].count("(") == r["expr"].count(")"), r["alert"]
    assert "the-dashboard" in anchors and "alerts" in anchors
