"""How long a worker took from its process start to ready, phase by phase: one ``worker_ready``
log line, the first time /readyz turns true, for operators (and bench/startup.py) to read.

    imports_s   process start -> the worker's code runs (interpreter, newsflow, faust)
    topics_s    checking (or creating) the topics
    models_s    building the stage's handler: spaCy and the models for enrich; it runs beside
                the group join, so it adds to ready_s only where it is the longer of the two
    join_s      the faust worker starting -> its first partitions assigned (the group join)
    ready_s     process start -> ready (broker reachable, partitions assigned, models loaded)
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)

_IMPORTED = time.monotonic()
PHASES = ("imports", "topics", "models", "join")


def process_age() -> float | None:
    """Seconds since this process started, from ``/proc`` (Linux), else None."""
    try:
        fields = Path("/proc/self/stat").read_bytes().rsplit(b")", 1)[1].split()
        ticks = int(fields[19])  # starttime: clock ticks after boot (field 22 of stat)
        return max(0.0, time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, IndexError, ValueError, AttributeError):
        return None


class Startup:
    """The phases of one worker process's start, in ``time.monotonic()`` seconds."""

    def __init__(self, service: str) -> None:
        self.service = service
        age = process_age()
        self.started = time.monotonic() - age if age is not None else _IMPORTED
        self.durations: dict[str, float] = {}
        self._open: dict[str, float] = {}
        self._logged = False
        self.durations["imports"] = time.monotonic() - self.started

    def begin(self, phase: str) -> None:
        self._open[phase] = time.monotonic()

    def end(self, phase: str) -> None:
        """Ends ``phase`` (only its first end counts: a later rebalance is not the join)."""
        if phase in self._open and phase not in self.durations:
            self.durations[phase] = time.monotonic() - self._open[phase]

    def ready(self) -> None:
        """Logs ``worker_ready`` with the phases, the first time only."""
        if self._logged:
            return
        self._logged = True
        fields = {f"{p}_s": round(self.durations[p], 3) for p in PHASES if p in self.durations}
        log.info("worker_ready", service=self.service,
                 ready_s=round(time.monotonic() - self.started, 3), **fields)  # fmt: skip
