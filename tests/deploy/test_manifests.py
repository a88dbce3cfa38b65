"""deploy/ checked offline: every overlay renders with kustomize, every resource validates
against the Kubernetes schemas, and every container has the security settings we promise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from newsflow.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
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
    (cm,) = of_kind(docs, "ConfigMap")
    assert cm["metadata"]["name"].startswith("newsflow-config-")  # hashed: a change rolls pods
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
    (cm,) = of_kind(docs, "ConfigMap")
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
    users = {u["metadata"]["name"]: u["spec"] for u in of_kind(docs, "KafkaUser")}
    allowed = {
        "newsflow-ingest": {("topic", "articles.raw", "Read"), ("group", "newsflow-ingest", "Read"),
                            ("topic", "articles.normalized", "Write"), ("topic", "articles.deadletter", "Write")},
        "newsflow-enrich": {("topic", "articles.normalized", "Read"), ("group", "newsflow-enrich", "Read"),
                            ("topic", "articles.enriched", "Write"), ("topic", "articles.deadletter", "Write")},
        # `newsflow replay`: reads dead letters, the replay log and the stage inputs (a truncated
        # letter's original); writes only the stage inputs and the replay log
        "newsflow-replay": {("topic", "articles.deadletter", "Read"),
                            ("topic", "articles.replayed", "Read"), ("topic", "articles.replayed", "Write"),
                            ("topic", "articles.raw", "Read"), ("topic", "articles.raw", "Write"),
                            ("topic", "articles.normalized", "Read"), ("topic", "articles.normalized", "Write")},
    }  # fmt: skip
    assert set(users) == set(allowed)
    for name, spec in users.items():
        granted = {(a["resource"]["type"], a["resource"].get("name"), op)
                   for a in spec["authorization"]["acls"] for op in a["operations"]}  # fmt: skip
        assert allowed[name] <= granted
        writes = {(t, n) for t, n, op in granted if op == "Write"}
        assert writes == {(t, n) for t, n, op in allowed[name] if op == "Write"}  # nothing more


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
