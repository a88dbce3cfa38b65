"""``newsflow worker`` (``--service all``): both services as two supervised child processes.

No faust here: the supervisor only starts and watches its children, so it starts them without
first importing what only they need (about 0.5 s of the start to ready)."""

from __future__ import annotations

import signal
import subprocess
import time

import structlog

from newsflow import exits
from newsflow.logs import configure_logging
from newsflow.procs import child_options
from newsflow.schemas import STAGES, Stage
from newsflow.settings import Settings

log = structlog.get_logger(__name__)


def _restartable(code: int) -> bool:
    """A crash (newsflow's own fatal exits, or a kill: OOM, segfault, kill -9), not a setup
    error such as an unreachable broker, which a restart would only repeat."""
    return code in exits.RESTARTABLE or code in (-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT)


def run_all(settings: Settings, argv_for: dict[Stage, list[str]]) -> int:
    """Both services as child processes (one core each), supervised as Kubernetes would: a
    child that crashes is started again (backoff 1 s doubling to 30 s, reset after a minute
    up), so crash-loop protection works here too; one that exits for another reason stops the
    other. A signal is passed on to both. Returns the first failing exit code, else 0."""
    configure_logging(settings.log_level)
    # Own sessions: each child gets exactly one signal, from us, not a second from the terminal.
    children = {s: subprocess.Popen(argv_for[s], **child_options()) for s in STAGES}
    started = dict.fromkeys(STAGES, time.monotonic())
    backoff = dict.fromkeys(STAGES, 1.0)
    stopping = False

    def forward(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    while not stopping:
        time.sleep(0.2)
        for service, child in list(children.items()):
            code = child.poll()
            if code is None or stopping:
                continue
            if not _restartable(code):
                log.error("worker_exited", service=service, code=code)
                forward(signal.SIGTERM, None)
                break
            if time.monotonic() - started[service] > 60:
                backoff[service] = 1.0
            log.error("worker_crashed", service=service, code=code, restart_in=backoff[service])
            resume = time.monotonic() + backoff[service]
            while not stopping and time.monotonic() < resume:
                time.sleep(0.2)
            backoff[service] = min(30.0, backoff[service] * 2)
            if not stopping:
                children[service] = subprocess.Popen(argv_for[service], **child_options())
                started[service] = time.monotonic()
    codes = [c.wait() for c in children.values()]
    return next((c for c in codes if c not in (0, -signal.SIGTERM, -signal.SIGINT)), 0)
