"""What every agent records per message: one log line with the message's coordinates bound,
and the counters and timings in newsflow.metrics."""

from __future__ import annotations

import structlog

from newsflow.metrics import DEAD_LETTERS, MESSAGES, PROCESSING
from newsflow.schemas import Stage
from newsflow.services.errors import InternalError
from newsflow.services.routing import Coordinates, Routed, dead_letter

log = structlog.get_logger("newsflow.agent")


def bind(stage: Stage, at: Coordinates) -> None:
    structlog.contextvars.bind_contextvars(
        stage=stage, topic=at.topic, partition=at.partition, offset=at.offset
    )


def internal_error(
    stage: Stage, exc: Exception, value: bytes | None, key: bytes | None, at: Coordinates
) -> Routed:
    log.exception("internal_error", error=repr(exc))
    error = InternalError(f"{type(exc).__name__}: {str(exc)[:300]}")
    return dead_letter(stage, error, value=value or b"", key=key, at=at)


def record(stage: Stage, routed: Routed, seconds: float) -> None:
    PROCESSING.labels(stage).observe(seconds)
    if routed.destination == "deadletter":
        MESSAGES.labels(stage, "dead_lettered").inc()
        DEAD_LETTERS.labels(stage, routed.error_code or "unknown").inc()
        log.warning("dead_lettered", article_id=routed.article_id, error_code=routed.error_code)
    else:
        MESSAGES.labels(stage, "published").inc()
        log.info("published", article_id=routed.article_id, destination=routed.destination)
    structlog.contextvars.clear_contextvars()
