from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from newsflow.settings import Settings


def test_environment_with_prefix_and_nesting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_BOOTSTRAP_SERVERS", "kafka-0:9093,kafka-1:9093")
    monkeypatch.setenv("NEWSFLOW_TOPICS__RAW", "feeds.raw")
    monkeypatch.setenv("NEWSFLOW_LIMITS__MAX_MESSAGE_BYTES", "100000")
    monkeypatch.setenv("NEWSFLOW_PARTITIONS", "12")
    s = Settings()
    assert s.bootstrap_servers == "kafka-0:9093,kafka-1:9093"
    assert s.topics.raw == "feeds.raw"
    assert s.topics.enriched == "articles.enriched"
    assert s.limits.max_raw_bytes == 50_000
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


def _env_names() -> list[str]:
    names = []
    for name, info in Settings.model_fields.items():
        nested = info.annotation
        if isinstance(nested, type) and issubclass(nested, BaseModel):
            names += [f"NEWSFLOW_{name}__{sub}".upper() for sub in nested.model_fields]
        else:
            names.append(f"NEWSFLOW_{name}".upper())
    return names


def test_readme_documents_every_setting() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    missing = [n for n in _env_names() if f"`{n}`" not in readme]
    assert not missing, f"README's configuration table lacks {missing}"
