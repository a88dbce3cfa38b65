"""Reading article files for ``produce`` and ``process``: text, HTML, a JSON envelope, or
JSON lines (one envelope per line). Text and HTML files are wrapped in an envelope."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from newsflow.services.ingest.envelope import sniff_content_type


@dataclass(frozen=True, slots=True)
class Input:
    label: str  # file name, with ":<line>" for JSON lines
    payload: bytes


def _wrap(path: Path, data: bytes, source: str) -> bytes:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data  # let the pipeline refuse it with its reason, as it would from a feed
    if text.lstrip().startswith("{"):
        return data  # already an envelope
    envelope = {
        "source": source,
        "content_type": sniff_content_type(text),
        "content": text,
        "metadata": {"filename": path.name},
    }
    return orjson.dumps(envelope)


def read_inputs(paths: list[Path], *, source: str = "cli") -> Iterator[Input]:
    """Yield one payload per article, in input order. Raises FileNotFoundError early."""
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"no such file: {path}")
    for path in paths:
        data = path.read_bytes()
        if path.suffix == ".jsonl":
            for n, line in enumerate(data.splitlines(), start=1):
                if line.strip():
                    yield Input(f"{path}:{n}", line)
        else:
            yield Input(str(path), _wrap(path, data, source))
