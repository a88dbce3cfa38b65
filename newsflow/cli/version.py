"""``newsflow version`` and ``newsflow --version``."""

from __future__ import annotations

import typer

from newsflow import __version__


def version() -> None:
    """Print newsflow's version."""
    typer.echo(__version__)


def show_version(value: bool) -> None:
    """``--version``: print the version and exit, whatever else was given."""
    if value:
        version()
        raise typer.Exit
