from __future__ import annotations

import pytest
from pydantic import ValidationError

from newsflow.settings import Settings


def test_environment_with_prefix_and_nesting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_BOOTSTRAP_SERVERS", "kafka-0:9093,kafka-1:9093")
    monkeypatch.setenv("NEWSFLOW_TOPICS__RAW", "feeds.raw")
    monkeypatch.setenv("NEWSFLOW_LIMITS__MAX_RAW_BYTES", "5000")
    monkeypatch.setenv("NEWSFLOW_PARTITIONS", "12")
    s = Settings()
    assert s.bootstrap_servers == "kafka-0:9093,kafka-1:9093"
    assert s.topics.raw == "feeds.raw"
    assert s.topics.enriched == "articles.enriched"
    assert s.limits.max_raw_bytes == 5000
    assert s.partitions == 12


def test_secrets_are_not_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_SECURITY__PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("NEWSFLOW_SECURITY__SASL_USERNAME", "newsflow")
    monkeypatch.setenv("NEWSFLOW_SECURITY__SASL_PASSWORD", "hunter2")
    s = Settings()
    assert "hunter2" not in repr(s)
    assert s.security.sasl_password is not None
    assert s.security.sasl_password.get_secret_value() == "hunter2"


def test_sasl_without_credentials_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_SECURITY__PROTOCOL", "SASL_PLAINTEXT")
    with pytest.raises(ValidationError, match="SASL needs"):
        Settings()


def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_PARTITIONS", "0")
    with pytest.raises(ValidationError):
        Settings()
