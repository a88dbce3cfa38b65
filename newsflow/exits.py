"""How a worker process ends when it must: at once, non-zero, without committing.

A stage that cannot go on must never leave a live process with a dead agent (it would answer
its probes and do nothing) nor let faust commit offsets of messages with no output. ``die``
logs why, drops readiness and leaves with ``os._exit``: no ``finally`` runs, so faust never
acknowledges the batch in hand; the restarted process gets it again."""

from __future__ import annotations

import logging
import os
import sys
from typing import NoReturn

import structlog

from newsflow.metrics import READY

log = structlog.get_logger(__name__)

AGENT_CRASHED = 70  # EX_SOFTWARE: an error escaped a stage's loop
STUCK = 71  # a message in progress for longer than NEWSFLOW_STUCK_SECONDS
DELIVERY_FAILED = 75  # EX_TEMPFAIL: not even the smallest dead letter could be stored
SETUP_FAILED = 78  # EX_CONFIG: the stage's handler could not be built (a missing model)
#: Exit codes after which a supervisor restarts the worker (a crash, not a configuration error).
RESTARTABLE = frozenset({AGENT_CRASHED, STUCK, DELIVERY_FAILED})


def die(code: int, event: str, **fields: object) -> NoReturn:
    READY.set(0)
    log.critical(event, exit_code=code, **fields)
    for handler in logging.getLogger().handlers:
        handler.flush()
    sys.stderr.flush()
    os._exit(code)
