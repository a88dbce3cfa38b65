"""The last resort against a message that hangs a stage.

The pure core checks its time budget between steps and ends a slow message with a ``timeout``
dead letter. A hang no check reaches (inside one C call, a lock) would leave a worker alive and
answering its probes while its stage does nothing. The watchdog thread sees a message in
progress for longer than ``NEWSFLOW_STUCK_SECONDS`` and ends the process, with the message
still recorded in the crash journal: the restart counts it as a crash, and after
``NEWSFLOW_CRASH_LOOP_ATTEMPTS`` it is dead-lettered ``crash_loop``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import structlog

from newsflow.schemas import Stage
from newsflow.services.routing import Coordinates

log = structlog.get_logger(__name__)


class Watchdog:
    def __init__(
        self,
        stage: Stage,
        stuck_seconds: float,
        on_stuck: Callable[[str], None],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stage = stage
        self.stuck_seconds = stuck_seconds
        self._on_stuck = on_stuck
        self._clock = clock
        self._current: tuple[Coordinates, float] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, at: Coordinates) -> None:
        """A message is now in progress (called from the stage's worker thread)."""
        self._current = (at, self._clock())

    def stop(self) -> None:
        self._current = None

    def check(self) -> None:
        current = self._current
        if current is None:
            return
        at, since = current
        waited = self._clock() - since
        if waited > self.stuck_seconds:
            where = f"{at.topic}:{at.partition}:{at.offset}"
            log.error("message_stuck", stage=self.stage, message=where, seconds=round(waited, 1),
                      stuck_seconds=self.stuck_seconds)  # fmt: skip
            self._on_stuck(f"{self.stage} stuck {waited:.0f} s on {where}")

    def run(self, interval: float | None = None) -> None:
        """Check in a daemon thread every ``interval`` seconds until ``close`` (by default a
        quarter of ``stuck_seconds``, at most one second: a message is caught at most a quarter
        past its limit, and a limit below the check interval is still enforced)."""
        if interval is None:
            interval = min(1.0, self.stuck_seconds / 4)

        def loop() -> None:
            while not self._stop.wait(interval):
                self.check()

        self._thread = threading.Thread(target=loop, name=f"{self.stage}-watchdog", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
