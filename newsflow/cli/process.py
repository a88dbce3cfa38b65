"""``process``: the pipeline offline, on files."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from newsflow.cli.options import Files, read_articles, settings_for


def process(
    files: Files, source: Annotated[str, typer.Option(help="Feed name for plain files.")] = "cli"
) -> None:
    """Normalise and enrich files offline (no broker), one JSON line per article.

    Articles go to stdout in input order; failures go to stderr as dead-letter lines. Exits 1 if
    any failed. Files that are not articles by their suffix (README.md, __init__.py...) are
    skipped with a note."""
    from newsflow.offline import process_inputs  # noqa: PLC0415

    settings = settings_for()
    inputs = read_articles(files, source=source)
    failed = 0
    for line, ok in process_inputs(inputs, settings):
        stream = sys.stdout if ok else sys.stderr
        stream.write(line + "\n")
        failed += not ok
    sys.stdout.flush()
    if failed:
        raise typer.Exit(1)
