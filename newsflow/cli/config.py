"""``config``: the effective settings, each with where its value came from, secrets masked."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from pydantic_settings import (
    DotEnvSettingsSource,
    EnvSettingsSource,
    InitSettingsSource,
    SecretsSettingsSource,
)

from newsflow.cli.options import Bootstrap, err, fail, settings_for
from newsflow.cli.tables import Column, print_table
from newsflow.settings import DOTENV, SECRETS_DIR_VARIABLE, Settings, leaves, variable

#: Where a value may come from, strongest first (the order pydantic-settings reads them in).
ORIGINS = ("command line", "environment", DOTENV, "secret file")
MASK = "********"


def config(bootstrap: Bootstrap = None) -> None:
    """Print the effective settings and where each came from; secrets masked.

    Each variable, its value and its source: command line, environment, .env, secret file or
    default. Exits 2, naming the variable and what it expects, when a setting is invalid."""
    settings = settings_for(bootstrap)
    found = _found(bootstrap)
    rows = []
    for path, _info in leaves():
        value: Any = settings
        for part in path:
            value = getattr(value, part)
        origin = next((o for o, given in zip(ORIGINS, found, strict=True) if _has(given, path)),
                      "default")  # fmt: skip
        rows.append((variable(path), _show(value), origin))
    columns = [Column("variable", no_wrap=True), Column("value"), Column("from", no_wrap=True)]
    print_table("newsflow settings", columns, rows, pipe_width=200)
    folder = os.environ.get(SECRETS_DIR_VARIABLE) or "unset"
    dotenv = Path(DOTENV).resolve()
    present = "present" if dotenv.is_file() else "absent"
    err.print(
        f"read from, strongest first: command line, environment, {dotenv} ({present}), "
        f"secret files in {SECRETS_DIR_VARIABLE} ({folder}), defaults",
        soft_wrap=True,
    )


def _show(value: object) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, SecretStr):  # every password and key password is one
        return MASK
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _has(given: dict[str, Any], path: tuple[str, ...]) -> bool:
    for part in path:
        if not isinstance(given, dict) or part not in given:
            return False
        given = given[part]
    return True


def _found(bootstrap: str | None) -> list[dict[str, Any]]:
    """The values each source gives, by field path (nested groups as dicts), in ORIGINS order,
    read by the same sources, set up the same way, as ``Settings`` reads them."""
    init = {"bootstrap_servers": bootstrap} if bootstrap is not None else {}
    sources = Settings.settings_customise_sources(
        Settings,
        InitSettingsSource(Settings, init_kwargs=init),
        EnvSettingsSource(Settings),
        DotEnvSettingsSource(Settings),
        SecretsSettingsSource(Settings),
    )
    try:
        return [source() for source in sources]
    except (OSError, ValueError) as exc:  # the settings were valid a moment ago: a race
        fail(f"cannot read the settings' sources again: {exc}")
