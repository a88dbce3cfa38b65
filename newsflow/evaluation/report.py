"""Printing evaluation scores as a table (and JSON for the record)."""

from __future__ import annotations

import json
import platform
from dataclasses import asdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

from newsflow.evaluation.extraction import Score


def print_scores(
    scores: list[Score], console: Console, *, json_out: Path | None, title: str
) -> None:
    table = Table(title=title)
    for column in ("extractor", "precision", "recall", "F1", "pages", "pages/s"):
        table.add_column(column, justify="left" if column == "extractor" else "right")
    for s in scores:
        table.add_row(s.name, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.pages),
                      f"{s.pages_per_second:.1f}")  # fmt: skip
    console.print(table)
    if json_out:
        record = {"machine": platform.platform(), "python": platform.python_version(),
                  "scores": [asdict(s) for s in scores]}  # fmt: skip
        json_out.write_text(json.dumps(record, indent=2), "utf-8")
