"""Running the workers: one faust worker per service, or both as two supervised processes."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import threading
import time
from typing import Any

import faust
import structlog

from newsflow import exits
from newsflow.bootstrap import build_app
from newsflow.kafka import check_record_limits, check_transactions, ensure_topics
from newsflow.logs import configure_logging
from newsflow.procs import child_options
from newsflow.schemas import STAGES, Stage
from newsflow.settings import Settings

log = structlog.get_logger(__name__)


class Worker(faust.Worker):
    """faust's worker, with a deadline on shutdown: after SIGTERM/SIGINT it drains (finishes or
    hands back the in-flight message, commits, leaves the group) and exits 0; if that takes
    longer than ``grace`` seconds it exits 1 so Kubernetes never has to SIGKILL it."""

    def __init__(self, *args: Any, grace: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._grace = grace
        self._deadline: threading.Timer | None = None

    def _arm_deadline(self, signal_name: str) -> None:
        if self._deadline is not None:
            return
        log.info("worker_stopping", signal=signal_name, grace_seconds=self._grace)

        def expire() -> None:
            log.error("shutdown_grace_exceeded", grace_seconds=self._grace)
            os._exit(1)

        self._deadline = threading.Timer(self._grace, expire)
        self._deadline.daemon = True
        self._deadline.start()

    def _on_sigterm(self) -> None:
        self._arm_deadline("SIGTERM")
        super()._on_sigterm()

    def _on_sigint(self) -> None:
        self._arm_deadline("SIGINT")
        super()._on_sigint()

    def on_worker_shutdown(self) -> None:
        log.info("worker_stopped")
        super().on_worker_shutdown()


def run_worker(settings: Settings, service: Stage, *, web_port: int | None = None) -> None:
    """Run one service's faust worker until SIGTERM/SIGINT. Never returns."""
    configure_logging(settings.log_level)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    if settings.create_topics:
        loop.run_until_complete(ensure_topics(settings))
    else:
        loop.run_until_complete(check_record_limits(settings))
    if settings.processing_guarantee == "exactly_once":
        loop.run_until_complete(check_transactions(settings))
    (settings.data_dir / service).mkdir(parents=True, exist_ok=True)
    app = build_app(settings, service, web_port=web_port)
    log.info(
        "worker_starting", service=service, group=app.conf.id, bootstrap=settings.bootstrap_servers
    )
    worker = Worker(
        app, loop=loop, loglevel=settings.log_level, override_logging=False,
        grace=settings.shutdown_grace, redirect_stdouts=False, quiet=True,
        stdout=open(os.devnull, "w"),  # noqa: SIM115  # faust's banner and spinner; logs go to stderr
    )  # fmt: skip
    worker.execute_from_commandline()


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
