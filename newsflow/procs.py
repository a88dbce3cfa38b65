"""Child processes that never outlive newsflow: their own session (so a terminal's Ctrl-C
reaches only newsflow, which stops them in order) and, on Linux, a SIGTERM when their parent
dies, even by SIGKILL."""

from __future__ import annotations

import ctypes
import signal
import sys
from collections.abc import Callable
from typing import Any

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def child_options() -> dict[str, Any]:
    """Keyword arguments for ``subprocess.Popen``."""
    preexec: Callable[[], None] | None = _die_with_parent if sys.platform == "linux" else None
    return {"start_new_session": True, "preexec_fn": preexec}
