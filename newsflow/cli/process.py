"""``process``: the pipeline offline, on files."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from newsflow.cli.options import Files, fail
from newsflow.settings import load_settings


def process(
    files: Files, source: Annotated[str, typer.Option(help="Feed name for plain files.")] = "cli"
) -> None:
    """Normalise and enrich files offline (no broker): one JSON line per article on stdout,
    in input order; failures go to stderr as dead-letter lines. Exits 1 if any failed."""
    from newsflow.inputs import read_inputs  # noqa: PLC0415
    from newsflow.offline import process_inputs  # noqa: PLC0415

    try:
        inputs = list(read_inputs(files, source=source))
    except FileNotFoundError as exc:
        fail(str(exc))
    failed = 0
    for line, ok in process_inputs(inputs, load_settings()):
        stream = sys.stdout if ok else sys.stderr
        stream.write(line + "\n")
        failed += not ok
    sys.stdout.flush()
    if failed:
        raise typer.Exit(1)
