"""``newsflow worker`` (``--service all``): both services as supervised child processes, one
ingest process and ``NEWSFLOW_ENRICH_PROCESSES`` enrich processes (members of one consumer
group, which shares the partitions among them).

No faust here: the supervisor only starts and watches its children, so it starts them without
first importing what only they need (about 0.5 s of the start to ready)."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import structlog

from newsflow import exits
from newsflow.logs import configure_logging
from newsflow.procs import child_options, worker_command
from newsflow.settings import Settings

log = structlog.get_logger(__name__)


def _restartable(code: int) -> bool:
    """A crash (newsflow's own fatal exits, or a kill: OOM, segfault, kill -9), not a setup
    error such as an unreachable broker, which a restart would only repeat."""
    return code in exits.RESTARTABLE or code in (-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT)


def cores() -> int:
    """Cores this process may run on (its CPU affinity where the platform has one)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


def enrich_processes(settings: Settings) -> int:
    """``NEWSFLOW_ENRICH_PROCESSES``, else one per core, at most the partitions (a member
    more than there are partitions would get none). Ingest's share of the work is small next
    to enrich's on plain text (lingua is asked only for what is not plainly English), and a
    process that waits uses no core, so on two cores the second enrich process uses the
    second core: end to end 6.2x -> 8.6-9.1x spaCy's full pipeline (``bench/blackbox.py``)."""
    return settings.enrich_processes or max(1, min(cores(), settings.partitions))


def supervised(settings: Settings, web_port: int) -> dict[str, list[str]]:
    """The child processes of ``--service all``, by name ("ingest", "enrich", "enrich-2"...),
    each with its command line: web ports from ``web_port`` up, ingest's first."""
    count = enrich_processes(settings)
    names = ["ingest", "enrich"] + [f"enrich-{k}" for k in range(2, count + 1)]
    return {
        name: worker_command(
            name.split("-")[0], bootstrap=settings.bootstrap_servers, web_port=web_port + i
        )
        for i, name in enumerate(names)
    }


def run_all(settings: Settings, argv_for: dict[str, list[str]]) -> int:
    """The services as child processes (one core each), supervised as Kubernetes would: a
    child that crashes is started again (backoff 1 s doubling to 30 s, reset after a minute
    up), so crash-loop protection works here too; one that exits for another reason stops the
    others. A signal is passed on to all. Returns the first failing exit code, else 0."""
    configure_logging(settings.log_level)
    # Own sessions: each child gets exactly one signal, from us, not a second from the terminal.
    children = {name: subprocess.Popen(argv, **child_options()) for name, argv in argv_for.items()}
    started = dict.fromkeys(argv_for, time.monotonic())
    backoff = dict.fromkeys(argv_for, 1.0)
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
