"""Running one service's faust worker (``newsflow worker --service ingest|enrich``); both as
two supervised processes is newsflow.supervisor."""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Any

import faust
import structlog

from newsflow.bootstrap import build_app
from newsflow.kafka import check_record_limits, check_transactions, ensure_topics
from newsflow.logs import configure_logging
from newsflow.schemas import Stage
from newsflow.settings import Settings
from newsflow.startup import Startup

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
    startup = Startup(service)  # imports done; it logs worker_ready with the phases
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    startup.begin("topics")
    if settings.create_topics:
        loop.run_until_complete(ensure_topics(settings))
    else:
        loop.run_until_complete(check_record_limits(settings))
    if settings.processing_guarantee == "exactly_once":
        loop.run_until_complete(check_transactions(settings))
    startup.end("topics")
    (settings.data_dir / service).mkdir(parents=True, exist_ok=True)
    app = build_app(settings, service, web_port=web_port, startup=startup)
    log.info(
        "worker_starting", service=service, group=app.conf.id, bootstrap=settings.bootstrap_servers
    )
    startup.begin("join")
    worker = Worker(
        app, loop=loop, loglevel=settings.log_level, override_logging=False,
        grace=settings.shutdown_grace, redirect_stdouts=False, quiet=True,
        stdout=open(os.devnull, "w"),  # noqa: SIM115  # faust's banner and spinner; logs go to stderr
    )  # fmt: skip
    worker.execute_from_commandline()
