"""A stage's handler built in a thread of its own, so that the worker joins its consumer group
while the handler's models load: for enrich, importing spaCy and loading the models (about 2 s)
no longer comes before a join that takes seconds of its own (docs/profile.md, start to ready).

Nothing is handled before the handler is built: the agent waits for it (``StageRunner.ready``)
before it takes its first batch, and readiness waits for it too. A handler that cannot be built
ends the process (``exits.SETUP_FAILED``): a restart would only fail the same way."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future

from newsflow import exits
from newsflow.services.budget import Budget
from newsflow.services.routing import Coordinates, Handler, Routed


class Loading:
    """A handler being built by ``build`` in a thread; a ``Handler`` itself, whose calls wait
    for the one built."""

    def __init__(self, build: Callable[[], Handler], *, stage: str) -> None:
        self.stage = stage
        self._built: Future[Handler] = Future()
        threading.Thread(target=self._build, args=(build,), name=f"load-{stage}",
                         daemon=True).start()  # fmt: skip

    def _build(self, build: Callable[[], Handler]) -> None:
        try:
            self._built.set_result(build())
        except Exception as exc:  # a missing or broken model: a setup error, not a crash
            exits.die(exits.SETUP_FAILED, "handler_failed", stage=self.stage, error=repr(exc),
                      exc_info=exc)  # fmt: skip

    async def loaded(self) -> Handler:
        """The handler, once built (without blocking the event loop)."""
        return await asyncio.wrap_future(self._built)

    def __call__(
        self, value: bytes | None, key: bytes | None, at: Coordinates, budget: Budget
    ) -> Routed:
        return self._built.result()(value, key, at, budget)
