"""Child processes that never outlive newsflow: their own session (so a terminal's Ctrl-C
reaches only newsflow, which stops them in order) and, on Linux, a SIGTERM when their parent
dies, even by SIGKILL."""

from __future__ import annotations

import ctypes
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def child_options() -> dict[str, Any]:
    """Keyword arguments for ``subprocess.Popen``."""
    preexec: Callable[[], None] | None = _die_with_parent if sys.platform == "linux" else None
    return {"start_new_session": True, "preexec_fn": preexec}


def worker_command(
    service: str,
    *,
    bootstrap: str | None = None,
    web_port: int | None = None,
    python: str = sys.executable,
    module: str | Sequence[str] = "newsflow",
) -> list[str]:
    """The command line of one ``newsflow worker`` process: ``python -m newsflow worker
    --service SERVICE [--bootstrap HOST:PORT] [--web-port N]``. ``module`` is the module to run,
    or a module and its own leading arguments (the fault tests run
    ``("tests.integration.faulty_worker", FAULT)``, which takes the same command after them)."""
    launcher = [module] if isinstance(module, str) else list(module)
    command = [python, "-m", *launcher, "worker", "--service", service]
    if bootstrap is not None:
        command += ["--bootstrap", bootstrap]
    if web_port is not None:
        command += ["--web-port", str(web_port)]
    return command
