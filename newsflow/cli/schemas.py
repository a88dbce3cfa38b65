"""``schemas export``: the message contracts as JSON Schema files."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from newsflow.cli.options import fail

app = typer.Typer(help="The message contracts as JSON Schema.", no_args_is_help=True)


@app.command("export")
def schemas_export(
    out: Annotated[
        Path | None, typer.Option(help="Folder [default: the schemas/json package].")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if the files differ; write nothing.")
    ] = False,
) -> None:
    """Write (or check) the JSON Schema file of every message contract."""
    from newsflow.schemas.export import render_all  # noqa: PLC0415

    folder = out or Path(str(resources.files("newsflow.schemas.json")))
    stale = []
    for name, text in render_all().items():
        path = folder / f"{name}.schema.json"
        if check:
            if not path.is_file() or path.read_text("utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, "utf-8")
    if stale:
        fail(f"JSON Schema out of date: {', '.join(stale)} (run `make schemas`)")
