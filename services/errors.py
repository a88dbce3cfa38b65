"""The errors the pure core raises. Each is a ``PoisonError``: this message will never
succeed, so it is dead-lettered with ``code`` and ``reason`` and the stream goes on.

The core depends on nothing outside the message, so it has no transient errors of its own:
trouble with Kafka (a broker down, a timeout) is the runtime's, which retries it with backoff
(newsflow/publish.py)."""

from __future__ import annotations


class NewsflowError(Exception):
    code: str = "error"

    def __init__(self, reason: str, *, code: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        if code is not None:
            self.code = code


class PoisonError(NewsflowError):
    code = "poison"


# Ingest-stage poison.
class EmptyInput(PoisonError):
    code = "empty_input"


class NotUtf8(PoisonError):
    code = "not_utf8"


class BinaryContent(PoisonError):
    code = "binary_content"


class MalformedJson(PoisonError):
    code = "malformed_json"


class NotAnObject(PoisonError):
    code = "json_not_object"


class InvalidEnvelope(PoisonError):
    code = "invalid_envelope"


class UnsupportedSchemaVersion(PoisonError):
    code = "unsupported_schema_version"


class TooLarge(PoisonError):
    code = "too_large"


class NoText(PoisonError):
    code = "no_text"


class TooDeep(PoisonError):
    code = "html_too_deep"


class TimedOut(PoisonError):
    """The message took longer than its time budget (``NEWSFLOW_LIMITS__MESSAGE_SECONDS``)."""

    code = "timeout"


class CrashLoop(PoisonError):
    """Processing this message killed the worker process (OOM kill, segfault, a hang the
    watchdog ended) as many times as ``NEWSFLOW_CRASH_LOOP_ATTEMPTS`` allows."""

    code = "crash_loop"


class OutputTooLarge(PoisonError):
    """The output for this message would be over ``NEWSFLOW_LIMITS__MAX_MESSAGE_BYTES``."""

    code = "output_too_large"


class InternalError(PoisonError):
    """A bug in newsflow met this message. Dead-lettered (kept for replay after the fix)."""

    code = "internal_error"


class OutputRejected(PoisonError):
    """The broker (or client) refused the output for this message, e.g. over the size limit."""

    code = "output_rejected"


# Enrich-stage poison.
class InvalidArticle(PoisonError):
    code = "invalid_article"


class EnrichFailed(PoisonError):
    code = "enrich_failed"
