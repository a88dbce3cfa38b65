"""The one log line per message every agent writes, with the message's coordinates bound."""

from __future__ import annotations

import structlog

from services.routing import Coordinates, Routed

log = structlog.get_logger("newsflow.agent")


def bind(stage: str, at: Coordinates) -> None:
    structlog.contextvars.bind_contextvars(
        stage=stage, topic=at.topic, partition=at.partition, offset=at.offset
    )


def record(routed: Routed) -> None:
    if routed.destination == "deadletter":
        log.warning("dead_lettered", article_id=routed.article_id, error_code=routed.error_code)
    else:
        log.info("published", article_id=routed.article_id, destination=routed.destination)
    structlog.contextvars.clear_contextvars()
