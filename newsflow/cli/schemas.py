"""``schemas export``: the message contracts as JSON Schema files and an AsyncAPI 3 document."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from newsflow.cli.options import fail

app = typer.Typer(
    help="The message contracts as JSON Schema and an AsyncAPI 3 document.", no_args_is_help=True
)


def published_files() -> dict[str, str]:
    """File name -> text of every published contract file: ``<Model>.schema.json`` for each
    message and ``asyncapi.json`` for the topics."""
    from newsflow import asyncapi  # noqa: PLC0415
    from newsflow.schemas.export import render_all  # noqa: PLC0415

    files = {f"{name}.schema.json": text for name, text in render_all().items()}
    files[asyncapi.FILE] = asyncapi.render()
    return files


@app.command("export")
def schemas_export(
    out: Annotated[
        Path | None, typer.Option(help="Folder (default: the schemas/json package).")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if the files differ; write nothing.")
    ] = False,
) -> None:
    """Write (or check) the JSON Schema file of every message contract and the AsyncAPI 3
    document of the topics (asyncapi.json)."""
    folder = out or Path(str(resources.files("newsflow.schemas.json")))
    stale = []
    for name, text in published_files().items():
        path = folder / name
        if check:
            if not path.is_file() or path.read_text("utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, "utf-8")
    if stale:
        fail(f"out of date: {', '.join(stale)} (run `make schemas`)")
