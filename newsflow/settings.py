"""One typed settings object per process, read from the environment (prefix ``NEWSFLOW_``).

Nested groups use ``__``: ``NEWSFLOW_TOPICS__RAW=feeds.raw``,
``NEWSFLOW_LIMITS__MAX_RAW_BYTES=...``.
Secrets can also come from files in ``NEWSFLOW_SECRETS_DIR`` (a mounted Kubernetes Secret), one
file per variable, named like it: ``$NEWSFLOW_SECRETS_DIR/NEWSFLOW_SECURITY__SASL_PASSWORD``.
The environment wins over a file. A ``.env`` file in the current directory is read too
(``NEWSFLOW_...=value`` lines), below the environment and above the secret files.

A configuration error never shows the values it was given: ``load_settings`` raises
``InvalidSettings`` with one line per mistake, naming the variable and what it expects
(``NEWSFLOW_PARTITIONS must be an integer >= 1``).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import annotated_types
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NestedSecretsSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from newsflow.services.limits import Limits

DEFAULT_BOOTSTRAP = "localhost:9092"
PREFIX = "NEWSFLOW_"
SECRETS_DIR_VARIABLE = "NEWSFLOW_SECRETS_DIR"  # read when Settings() is built
DOTENV = ".env"  # in the current directory


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

    @field_validator("ssl_cafile", "ssl_certfile", "ssl_keyfile")
    @classmethod
    def _readable_when_used(cls, path: Path | None, info: ValidationInfo) -> Path | None:
        """The CA, certificate and key are read at start when the protocol uses TLS: a missing
        one is named here, with its path, not later as a bare FileNotFoundError."""
        if path is None or not str(info.data.get("protocol", "")).endswith("SSL"):
            return path
        if not path.exists():
            raise ValueError(f"no such file: {path}")
        if not path.is_file():
            raise ValueError(f"not a file: {path}")
        if not os.access(path, os.R_OK):
            raise ValueError(f"cannot read {path} (permissions)")
        return path

    @model_validator(mode="after")
    def _sasl_needs_credentials(self) -> Security:
        if self.protocol.startswith("SASL") and not (self.sasl_username and self.sasl_password):
            raise ValueError("SASL needs NEWSFLOW_SECURITY__SASL_USERNAME and __SASL_PASSWORD")
        return self


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NEWSFLOW_",
        env_nested_delimiter="__",
        env_file=DOTENV,
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
    # see docs/decisions/0001-embedded-broker.md and docs/profile.md (start to ready).
    session_timeout: float = Field(
        default=6.0,
        gt=0,
        description="Seconds without a heartbeat before the group drops a member. 6 is Apache "
        "Kafka's least by default (group.min.session.timeout.ms). The embedded broker holds "
        "every join for half of it (3 s): most of a worker's start to ready.",
    )
    heartbeat_interval: float = Field(
        default=1.0, gt=0, description="Seconds between heartbeats (under a third of the session)."
    )
    rebalance_timeout: float = Field(
        default=10.0,
        gt=0,
        description="Seconds a rebalance waits for members to finish their batch in hand and "
        "rejoin; no part of a start (the embedded broker ignores it).",
    )
    commit_interval: float = Field(default=1.0, gt=0)
    lag_interval: float = Field(
        default=10.0,
        gt=0,
        description="Seconds between refreshes of newsflow_consumer_lag from the broker's end "
        "offsets and the group's committed offsets (so a stuck worker's lag grows).",
    )
    fetch_max_wait: float = Field(
        default=0.1,
        gt=0,
        le=30,
        description="Seconds a consumer's fetch may wait for data. Apache Kafka answers as soon "
        "as data arrives; the embedded broker holds the fetch this long, adding it to each hop.",
    )
    batch_size: int = Field(
        default=64, ge=1, le=512, description="Most messages a stage handles together."
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
    pipeline_depth: int = Field(
        default=2,
        ge=1,
        le=8,
        description="Batches a stage may have sent and not yet acknowledged: the next batch is "
        "handled while the broker acknowledges the one before. Offsets are committed only after "
        "a batch's outputs are stored, in order. 1: one batch at a time (exactly_once always).",
    )
    producer_batch_bytes: int = Field(
        default=1_000_000,
        ge=16_384,
        description="Most bytes the producer puts in one record batch per partition. aiokafka "
        "holds a send whose partition's batch is full until that batch leaves, and sends one "
        "request per broker at a time, so a batch of a few articles makes sends wait on round "
        "trips.",
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
    enrich_processes: int | None = Field(
        default=None,
        ge=1,
        le=64,
        description="Enrich processes `worker --service all` starts beside its ingest process; "
        "unset: one per core the process may use, at most `partitions`.",
    )
    data_dir: Path = Field(default=Path(tempfile.gettempdir()) / "newsflow")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class InvalidSettings(ValueError):
    """The settings cannot be built; the message says which variable and what it expects, one
    line per mistake, and never shows a value that was given."""


def load_settings(**overrides: object) -> Settings:
    """Build the settings once at start-up; CLI flags arrive as ``overrides``. Raises
    ``InvalidSettings``."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**clean)  # type: ignore[arg-type]  # values validated by pydantic
    except (ValidationError, SettingsError) as exc:
        raise InvalidSettings(explain(exc)) from None  # the cause may hold a value: not chained


# --- naming the variables, and saying what they expect ---


def variable(path: tuple[str | int, ...]) -> str:
    """The environment variable of a field path: ("security", "ssl_cafile") ->
    NEWSFLOW_SECURITY__SSL_CAFILE."""
    return PREFIX + "__".join(str(p) for p in path).upper()


def _group(annotation: Any) -> type[BaseModel] | None:
    """The model class of a nested group (Topics, Security, Limits), else None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def leaves(
    model: type[BaseModel] = Settings, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], FieldInfo]]:
    """Every setting as (field path, field), groups flattened, in declaration order."""
    for name, info in model.model_fields.items():
        if (group := _group(info.annotation)) is not None:
            yield from leaves(group, (*path, name))
        else:
            yield (*path, name), info


def _field(path: tuple[str | int, ...]) -> FieldInfo | None:
    model: type[BaseModel] | None = Settings
    info = None
    for part in path:
        if model is None or (info := model.model_fields.get(str(part))) is None:
            return None
        model = _group(info.annotation)
    return info


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def expects(info: FieldInfo) -> str:
    """What a field takes, in words: "an integer >= 1", "one of PLAIN, SCRAM-SHA-256"..."""
    kind = info.annotation
    if typing.get_origin(kind) in (typing.Union, types.UnionType):  # X | None: what X takes
        kind = next(a for a in typing.get_args(kind) if a is not type(None))
    if typing.get_origin(kind) is Literal:
        return "one of " + ", ".join(str(a) for a in typing.get_args(kind))
    names: dict[object, str] = {bool: "true or false", int: "an integer", float: "a number",
                                Path: "a path", SecretStr: "a secret", str: "text"}  # fmt: skip
    words = names.get(kind, "a value")
    bounds = []
    for m in info.metadata:
        for attr, sign in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            if isinstance(m, annotated_types.BaseMetadata) and hasattr(m, attr):
                bounds.append(f"{sign} {_number(getattr(m, attr))}")
        if (pattern := getattr(m, "pattern", None)) is not None:
            bounds.append(f"matching {pattern}")
    return " ".join([words, " and ".join(bounds)]).strip()


def _one(error: Any) -> str:
    path = tuple(error["loc"])
    info = _field(path)
    if info is None or _group(info.annotation) is not None:  # a check across a group's fields
        return str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "value_error":  # our own check: its message says what is wrong
        return f"{variable(path)}: {str(error['msg']).removeprefix('Value error, ')}"
    return f"{variable(path)} must be {expects(info)}"


def explain(exc: ValidationError | SettingsError) -> str:
    """One line per mistake: the variable and what it expects (never the value given)."""
    if isinstance(exc, SettingsError):
        found = re.search(r'field "(\w+)"', str(exc))
        if found is None:  # the secrets folder, named and missing
            folder = os.environ.get(SECRETS_DIR_VARIABLE)
            return f"{SECRETS_DIR_VARIABLE}: {exc}" if folder and folder in str(exc) else str(exc)
        name = found.group(1)
        hint = f"{variable((name,))} must be JSON"
        info = Settings.model_fields.get(name)
        if info is not None and (group := _group(info.annotation)) is not None:
            first = next(iter(group.model_fields))
            hint += f" (or set its parts one by one: {variable((name, first))}...)"
        if isinstance(exc.__cause__, json.JSONDecodeError):  # says where, never what
            hint += f"; {exc.__cause__.msg} at character {exc.__cause__.pos}"
        return hint
    seen: dict[str, None] = {}
    for error in exc.errors(include_input=False, include_url=False):
        seen.setdefault(_one(error))
    return "; ".join(seen)
