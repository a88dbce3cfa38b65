from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError
from pydantic_settings import SettingsError

from newsflow.settings import Security, Settings


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


def _secret_volume(folder: Path, secrets: dict[str, str]) -> Path:
    """A Secret mounted the way the kubelet does it: files in a hidden timestamped folder,
    ``..data`` linking to it, and one link per key at the top."""
    stamp = folder / "..2025_01_01_00_00_00.000000001"
    stamp.mkdir(parents=True)
    (folder / "..data").symlink_to(stamp.name)
    for name, value in secrets.items():
        (stamp / name).write_text(value + "\n")
        (folder / name).symlink_to(f"..data/{name}")
    return folder


def test_secret_files_fill_nested_fields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _secret_volume(tmp_path / "secrets", {
        "NEWSFLOW_SECURITY__SASL_USERNAME": "newsflow-ingest",
        "NEWSFLOW_SECURITY__SASL_PASSWORD": "hunter2",
        "NEWSFLOW_SECURITY__SSL_KEY_PASSWORD": "swordfish",
        "password": "Strimzi's own key, not a setting",
    })  # fmt: skip
    monkeypatch.setenv("NEWSFLOW_SECURITY__PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("NEWSFLOW_SECRETS_DIR", str(folder))  # after import: read at Settings()
    s = Settings()
    assert s.security.protocol == "SASL_SSL"  # the environment and the files merge
    assert s.security.sasl_username == "newsflow-ingest"
    assert s.security.sasl_password is not None
    assert s.security.sasl_password.get_secret_value() == "hunter2"
    assert s.security.ssl_key_password is not None
    assert s.security.ssl_key_password.get_secret_value() == "swordfish"
    assert "hunter2" not in repr(s)
    monkeypatch.setenv("NEWSFLOW_SECURITY__SASL_USERNAME", "from-env")
    assert Settings().security.sasl_username == "from-env"  # the environment wins over a file
    monkeypatch.delenv("NEWSFLOW_SECRETS_DIR")
    with pytest.raises(ValidationError, match="SASL needs"):
        Settings()  # ...and the folder is read per build: now no password
    monkeypatch.setenv("NEWSFLOW_SECRETS_DIR", str(tmp_path / "missing"))
    with pytest.raises(SettingsError, match="does not exist"):
        Settings()  # a named folder that is not there is not silently no credentials


@pytest.mark.parametrize(
    "bad",
    [
        {"NEWSFLOW_SECURITY__SASL_USERNAME": ""},  # the model check fails, next to the password
        {"NEWSFLOW_SECURITY__SASL_USERNAME": "u", "NEWSFLOW_SECURITY__SASL_MECHANISM": "MD5"},
        {"NEWSFLOW_SECURITY__SASL_USERNAME": "u", "NEWSFLOW_PARTITIONS": "hunter2"},
    ],
)
def test_a_configuration_error_never_shows_a_secret(
    bad: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSFLOW_SECURITY__PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("NEWSFLOW_SECURITY__SASL_PASSWORD", "hunter2")
    monkeypatch.setenv("NEWSFLOW_SECURITY__SSL_KEY_PASSWORD", "swordfish")
    for name, value in bad.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as caught:
        Settings()
    shown = f"{caught.value}\n{caught.value!r}\n{caught.value.errors(include_input=False)}"
    assert "hunter2" not in shown and "swordfish" not in shown
    # the same error through the command line
    from typer.testing import CliRunner  # noqa: PLC0415

    from newsflow.cli import app  # noqa: PLC0415

    result = CliRunner().invoke(app, ["deadletters"])
    assert result.exit_code == 2
    assert "invalid settings" in result.stderr
    assert "hunter2" not in result.output and "swordfish" not in result.output


def test_nested_models_hide_their_input_too() -> None:
    with pytest.raises(ValidationError) as caught:
        Security(protocol="SASL_SSL", sasl_password="hunter2")  # type: ignore[arg-type]  # test data: a literal where the model converts it
    assert "hunter2" not in str(caught.value)


def test_local_defaults() -> None:
    s = Settings()
    assert s.web_host == "127.0.0.1"  # pods set NEWSFLOW_WEB_HOST=0.0.0.0 (deploy ConfigMap)
    assert s.topics.replayed == "articles.replayed"
    assert s.topics.replayed in s.topics.all()  # created by the workers at start
