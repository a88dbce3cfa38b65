"""A time budget for one message, checked by the pure core between its steps.

The core never blocks on anything outside itself, so a cooperative check between steps (and
inside the loops that grow with the input) is enough to end a costly message with a typed
error. What a check cannot reach (a hang inside one C call) is the adapter's watchdog's job."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from newsflow.services.errors import TimedOut


class Budget:
    __slots__ = ("_clock", "deadline", "seconds")

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self.deadline = clock() + seconds

    def check(self, step: str) -> None:
        """Raise ``TimedOut`` (a poison error: dead letter ``timeout``) once over budget."""
        if self._clock() > self.deadline:
            raise TimedOut(f"over the {self.seconds:g} s budget per message, at {step}")


#: No limit: for offline tools and evaluations.
UNLIMITED = Budget(math.inf)
