"""One typed settings object per process, read from the environment (prefix ``NEWSFLOW_``).

Nested groups use ``__``: ``NEWSFLOW_TOPICS__RAW=feeds.raw``,
``NEWSFLOW_LIMITS__MAX_RAW_BYTES=...``.
Secrets can also come from files in ``NEWSFLOW_SECRETS_DIR`` (a mounted Kubernetes Secret), one
file per variable, named like it: ``$NEWSFLOW_SECRETS_DIR/NEWSFLOW_SECURITY__SASL_PASSWORD``.
The environment wins over a file. A configuration error never shows the values it was given.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    NestedSecretsSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from newsflow.services.limits import Limits

DEFAULT_BOOTSTRAP = "localhost:9092"
SECRETS_DIR_VARIABLE = "NEWSFLOW_SECRETS_DIR"  # read when Settings() is built


class Topics(BaseModel):
    model_config = ConfigDict(frozen=True, hide_input_in_errors=True)

    raw: str = "articles.raw"
    normalized: str = "articles.normalized"
    enriched: str = "articles.enriched"
    deadletter: str = "articles.deadletter"
    replayed: str = "articles.replayed"  # compacted log of replays, by dead letter

    def all(self) -> list[str]:
        return [self.raw, self.normalized, self.enriched, self.deadletter, self.replayed]

    def resolve(self, name: str) -> str:
        """A short name (raw, normalized, enriched, deadletter, replayed) as its configured
        topic; any other name as is."""
        return str(getattr(self, name)) if name in type(self).model_fields else name


class Security(BaseModel):
    """How to reach a secured Kafka. Plain text on loopback needs none of it."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True)

    protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-512"
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None
    ssl_key_password: SecretStr | None = None

    @model_validator(mode="after")
    def _sasl_needs_credentials(self) -> Security:
        if self.protocol.startswith("SASL") and not (self.sasl_username and self.sasl_password):
            raise ValueError("SASL needs NEWSFLOW_SECURITY__SASL_USERNAME and __SASL_PASSWORD")
        return self


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NEWSFLOW_",
        env_nested_delimiter="__",
        frozen=True,
        extra="ignore",
        hide_input_in_errors=True,  # an error next to a password must not print the password
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Secret files are read from ``$NEWSFLOW_SECRETS_DIR`` as it is when the settings are
        built (not when this module was imported). Each file is named like its variable, nested
        ones too (``NEWSFLOW_SECURITY__SASL_PASSWORD``): the plain secrets source only knows
        top-level fields, so the nested one reads the folder like an environment. A folder that
        is named but missing is an error, not silently no credentials."""
        folder = os.environ.get(SECRETS_DIR_VARIABLE) or None
        if folder is None:
            return init_settings, env_settings, dotenv_settings, file_secret_settings
        secrets = NestedSecretsSettingsSource(
            file_secret_settings,
            secrets_dir=folder,
            secrets_dir_missing="error",
            secrets_nested_delimiter="__",
        )
        return init_settings, env_settings, dotenv_settings, secrets

    bootstrap_servers: str = Field(
        default=DEFAULT_BOOTSTRAP, description="Comma-separated HOST:PORT list."
    )
    app_id: str = Field(
        default="newsflow",
        pattern=r"^[A-Za-z0-9._-]+$",
        description="Prefix of the consumer groups: <app_id>-ingest and <app_id>-enrich.",
    )
    topics: Topics = Topics()
    partitions: int = Field(default=4, ge=1, description="Partitions for topics newsflow creates.")
    replication_factor: int = Field(default=1, ge=1)
    create_topics: bool = Field(
        default=True,
        description="Create missing topics at start-up (off where topics are managed).",
    )
    dedupe_capacity: int = Field(
        default=100_000, ge=0, description="Fingerprints an ingest worker remembers (~100 B each)."
    )
    dedupe_max_distance: int = Field(
        default=3, ge=0, le=15, description="SimHash bits that may differ."
    )
    security: Security = Security()
    limits: Limits = Limits()

    # faust/Kafka client tuning. The defaults suit a real cluster and the embedded broker alike;
    # see docs/decisions/0001-embedded-broker.md for why the group timeouts are short.
    session_timeout: float = Field(default=10.0, gt=0)
    heartbeat_interval: float = Field(default=1.0, gt=0)
    rebalance_timeout: float = Field(default=10.0, gt=0)
    commit_interval: float = Field(default=1.0, gt=0)
    fetch_max_wait: float = Field(
        default=0.1,
        gt=0,
        le=30,
        description="Seconds a consumer's fetch may wait for data. Apache Kafka answers as soon "
        "as data arrives; the embedded broker holds the fetch this long, adding it to each hop.",
    )
    batch_size: int = Field(
        default=16, ge=1, le=512, description="Most messages a stage handles together."
    )
    batch_window: float = Field(
        default=0.05, gt=0, description="Seconds a stage waits to fill a batch before it goes."
    )
    batch_max_bytes: int = Field(
        default=2_000_000,
        ge=1,
        description="A batch is handled and delivered in parts of at most this many input bytes "
        "(one message at the least), so outputs held in memory stay bounded.",
    )
    buffer_bytes: int = Field(
        default=32_000_000,
        ge=1,
        description="Bytes of messages a stage may hold fetched but not yet handled (a backlog "
        "of large messages stops fetching there; see Guarantees).",
    )
    fetch_max_bytes: int = Field(
        default=8_000_000,
        ge=1,
        description="Most bytes one fetch from the brokers returns (a single larger message "
        "still comes).",
    )
    crash_loop_attempts: int = Field(
        default=3,
        ge=1,
        description="Times a message may kill its worker process before it is dead-lettered "
        "crash_loop instead of processed again.",
    )
    stuck_seconds: float = Field(
        default=120.0,
        gt=0,
        description="A message still in progress after this long (a hang no time budget check "
        "reaches) makes the worker exit, so it is restarted and the message counted as a crash.",
    )
    transforms: bool = Field(
        default=True,
        description="false: each stage forwards its input unchanged (no normalising, no "
        "enrichment) through the same batching, delivery and commits. Only for measuring the "
        "framework's own cost (bench/e2e.py --no-transforms); never in production.",
    )
    processing_guarantee: Literal["at_least_once", "exactly_once"] = Field(
        default="at_least_once",
        description="exactly_once needs a Kafka with transactions; start-up fails fast without.",
    )
    shutdown_grace: float = Field(
        default=25.0,
        gt=0,
        description="Seconds from SIGTERM to exit; keep under Kubernetes' grace.",
    )
    producer_request_timeout: float = Field(default=30.0, gt=0, description="Seconds per send try.")
    probe_interval: float = Field(default=2.0, gt=0, description="Seconds between broker probes.")
    probe_timeout: float = Field(default=2.0, gt=0, description="A probe slower than this fails.")
    web_host: str = Field(
        default="127.0.0.1",
        description="Address of /healthz, /readyz, /metrics: loopback for local runs; the pods "
        "set 0.0.0.0 (deploy ConfigMap) so the kubelet and Prometheus reach them.",
    )
    web_port: int = Field(default=6066, ge=1024, le=65535)
    data_dir: Path = Field(default=Path(tempfile.gettempdir()) / "newsflow")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


def load_settings(**overrides: object) -> Settings:
    """Build the settings once at start-up; CLI flags arrive as ``overrides``."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)  # type: ignore[arg-type]  # values validated by pydantic
