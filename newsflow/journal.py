"""Crash-loop protection: which messages were in progress when the worker process died.

Before a stage handles messages it writes their coordinates to a small file under the data
directory; when it has handled them it clears them (a death while their outputs are being
sent is no fault of theirs, and they come again from their uncommitted offsets). A worker
that starts and finds coordinates there was killed while handling them (out of memory, a
segfault, ``kill -9``, the stuck watchdog): each of those messages gets one more counted
crash. A message with crashes is handled alone, so an innocent neighbour in its batch is
cleared the next time; one that has reached the attempt limit is dead-lettered
``crash_loop`` without being handled again.

In Kubernetes the data directory is an ``emptyDir``: it survives container restarts, which is
what a crash loop is. Each write is one system call; no fsync, since a killed process leaves
the page cache intact and only a machine crash would lose a write.

Two workers of one service sharing a data directory each take a slot file of their own
(``journal-N.json``) under an exclusive lock, which the kernel releases when a process dies."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterable
from pathlib import Path

from newsflow.services.routing import Coordinates

#: Crash counts kept at most (oldest dropped): messages of partitions that moved elsewhere.
MAX_REMEMBERED = 1_000


def _key(at: Coordinates) -> str:
    return f"{at.topic}\x1f{at.partition}\x1f{at.offset}"


class CrashJournal:
    def __init__(self, directory: Path, *, attempts: int) -> None:
        self.attempts_allowed = attempts
        directory.mkdir(parents=True, exist_ok=True)
        self._lock: int | None = None  # a descriptor, held for the life of the process
        self._fd: int | None = None
        self._size = 0
        self.path = self._claim_slot(directory)
        self.crashes: dict[str, int] = {}
        self._inflight: list[str] = []
        self._recover()

    def _claim_slot(self, directory: Path) -> Path:
        for slot in range(64):
            lock = os.open(directory / f"journal-{slot}.lock", os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(lock)
                continue
            self._lock = lock
            return directory / f"journal-{slot}.json"
        raise RuntimeError(f"more than 64 workers share the data directory {directory}")

    def _recover(self) -> None:
        """Count a crash for every message the previous holder of this slot left in progress."""
        try:
            state = json.loads(self.path.read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            return
        self.crashes = {str(k): int(v) for k, v in state.get("crashes", {}).items()}
        for key in state.get("inflight", []):
            self.crashes[str(key)] = self.crashes.get(str(key), 0) + 1
        self._write()

    @property
    def died_during(self) -> list[str]:
        """The messages with counted crashes, as ``topic:partition:offset`` (for the log)."""
        return [k.replace("\x1f", ":") for k in self.crashes]

    def crashed(self, at: Coordinates) -> int:
        """How many times handling this message killed the process."""
        return self.crashes.get(_key(at), 0)

    def exhausted(self, at: Coordinates) -> bool:
        return self.crashed(at) >= self.attempts_allowed

    def begin(self, messages: Iterable[Coordinates]) -> None:
        """Record these messages as in progress (before handling them)."""
        self._inflight = [_key(at) for at in messages]
        self._write()

    def done(self, messages: Iterable[Coordinates]) -> None:
        """These messages were handled (or dead-lettered): forget them."""
        for at in messages:
            self.crashes.pop(_key(at), None)
        self._inflight = []
        self._write()

    def _write(self) -> None:
        """Overwrite the file in place with one ``pwrite`` (a killed process cannot interrupt
        it halfway), padded with spaces over a longer old content, then truncated: killed
        between the two, the file is still valid JSON followed by spaces."""
        while len(self.crashes) > MAX_REMEMBERED:
            self.crashes.pop(next(iter(self.crashes)))
        data = json.dumps({"inflight": self._inflight, "crashes": self.crashes}).encode()
        if self._fd is None:
            self._fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
            self._size = os.fstat(self._fd).st_size
        pad = max(0, self._size - len(data))
        os.pwrite(self._fd, data + b" " * pad, 0)
        if pad:
            os.ftruncate(self._fd, len(data))
        self._size = len(data)

    def close(self) -> None:
        for fd in (self._fd, self._lock):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._fd = self._lock = None
