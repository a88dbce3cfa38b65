"""The one table renderer of the commands (rich), on stdout."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

from rich.console import Console
from rich.table import Table


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    justify: Literal["left", "right"] = "left"
    no_wrap: bool = False


class Row(NamedTuple):
    """A row with a style for all its cells (a plain sequence of cells has none)."""

    cells: Sequence[str]
    style: str = ""


def print_table(
    title: str,
    columns: Iterable[str | Column],
    rows: Iterable[Sequence[str] | Row],
    *,
    pipe_width: int | None = None,
) -> None:
    """Print a table with ``title``, ``columns`` (a header, or a Column) and ``rows`` (cells in
    rich markup). Output to a terminal fits it; to a pipe, it is ``pipe_width`` wide when given,
    so that pipes and logs get whole lines."""
    table = Table(title=title)
    for c in columns:
        c = Column(c) if isinstance(c, str) else c  # noqa: PLW2901 - a header is a Column too
        table.add_column(c.header, justify=c.justify, no_wrap=c.no_wrap)
    for row in rows:
        if isinstance(row, Row):
            table.add_row(*row.cells, style=row.style)
        else:
            table.add_row(*row)
    Console(width=None if sys.stdout.isatty() else pipe_width).print(table)
