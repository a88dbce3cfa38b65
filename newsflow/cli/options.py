"""What the commands share: the option types, the error exit, settings from the command line,
and ``--at`` parsing."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from rich.console import Console
from rich.markup import escape

from newsflow.settings import Settings, load_settings

err = Console(stderr=True, emoji=False)  # ":b:" in a topic name is text, not an emoji

Bootstrap = Annotated[
    str | None,
    typer.Option(
        "--bootstrap",
        "-b",
        metavar="HOST:PORT",
        help="Kafka bootstrap servers [default: $NEWSFLOW_BOOTSTRAP_SERVERS or localhost:9092]",
    ),
]
Files = Annotated[list[Path], typer.Argument(help="Text, HTML, JSON envelope or .jsonl files.")]
Idle = Annotated[
    float, typer.Option(help="Stop reading when no dead letter arrived for S seconds.")
]


class ServiceChoice(StrEnum):
    ingest = "ingest"
    enrich = "enrich"
    all = "all"


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``."""
    err.print(f"[bold red]error:[/bold red] {escape(message)}")
    raise typer.Exit(code)


def settings_for(bootstrap: str | None) -> Settings:
    """The settings, with ``--bootstrap`` when given; exit 2 when they are invalid."""
    try:
        return load_settings(bootstrap_servers=bootstrap)
    except (ValidationError, SettingsError) as exc:  # neither shows the values it was given
        fail(f"invalid settings: {exc}", 2)


def parse_at(text: str) -> tuple[str, int, int] | None:
    """``TOPIC:PARTITION:OFFSET`` as (topic, partition, offset); None when it is not that. The
    topic may itself contain colons: the last two fields are the numbers."""
    rest, _, offset = text.rpartition(":")
    topic, _, partition = rest.rpartition(":")
    if not (topic and partition.isdigit() and offset.isdigit()):
        return None
    return topic, int(partition), int(offset)
