"""The scores of an evaluation as JSON, for the record (the command prints them as a table)."""

from __future__ import annotations

import json
import platform
from dataclasses import asdict
from pathlib import Path

from newsflow.evaluation.extraction import Score


def write_scores(scores: list[Score], path: Path) -> None:
    """Write ``scores`` with the machine and Python version they were measured on."""
    record = {"machine": platform.platform(), "python": platform.python_version(),
              "scores": [asdict(s) for s in scores]}  # fmt: skip
    path.write_text(json.dumps(record, indent=2), "utf-8")
