"""A progress bar on stderr for commands that take a while (eval, replay), only on a terminal
(never in logs or pipes), gone when done."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from rich.console import Console
from rich.progress import track

T = TypeVar("T")
_ERR = Console(stderr=True)


def progress(items: Sequence[T], description: str) -> Iterator[T]:
    """``items`` in order, with a transient progress bar when stderr is a terminal."""
    shown: Iterable[T] = track(items, description=description, console=_ERR, transient=True,
                               disable=not sys.stderr.isatty())  # fmt: skip
    yield from shown
