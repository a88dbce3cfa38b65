"""From message bytes to a ``RawArticle``: a JSON envelope, or bare text or HTML."""

from __future__ import annotations

import re
from typing import Any

import orjson
from pydantic import ValidationError

from newsflow.schemas import ContentType, RawArticle
from newsflow.services.errors import (
    BinaryContent,
    EmptyInput,
    InvalidEnvelope,
    MalformedJson,
    NotAnObject,
    NotUtf8,
    TooLarge,
    UnsupportedSchemaVersion,
)
from newsflow.services.limits import Limits

_HTML_START = re.compile(
    r"\s*(?:<!--.{0,200}?-->\s*)?<(?:!doctype\s+html|html|head|body|article|main|div|p|section|meta|title|h1)\b",
    re.IGNORECASE | re.DOTALL,
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: The share of control characters is taken over at least this many characters: in a short
#: message one or two stray characters are not yet a "share" that marks it binary.
MIN_CONTROL_SAMPLE = 500


def sniff_content_type(text: str) -> ContentType:
    return "text/html" if _HTML_START.match(text[:1024]) else "text/plain"


def scrub_controls(text: str, limits: Limits, what: str = "message") -> str:
    """``text`` without control characters (NUL, BEL, ...), which scrapers leave in by
    accident. More than ``max_control_ratio`` of them (counted over at least
    ``MIN_CONTROL_SAMPLE`` characters), or nothing else, means binary: ``BinaryContent``."""
    cleaned, controls = _CONTROL.subn("", text)
    if not controls:
        return text
    if controls > limits.max_control_ratio * max(len(text), MIN_CONTROL_SAMPLE):
        raise BinaryContent(
            f"{controls} control characters in {len(text)} ({what}): binary, not text"
        )
    if not cleaned.strip():
        raise BinaryContent(f"{what} is only control characters: binary, not text")
    return cleaned


def _validation_reason(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False, include_input=False)
    parts = [f"{'.'.join(str(p) for p in e['loc']) or 'envelope'}: {e['msg']}" for e in errors[:5]]
    more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
    return "; ".join(parts) + more


def _from_json(data: Any, source_hint: str, limits: Limits) -> RawArticle:
    if not isinstance(data, dict):
        raise NotAnObject(f"JSON envelope must be an object, got {type(data).__name__}")
    version = data.get("schema_version", 1)
    if version != 1:
        raise UnsupportedSchemaVersion(f"schema_version {version!r} is not supported (only 1)")
    data.setdefault("source", source_hint)
    if isinstance(data.get("content"), str):
        data["content"] = scrub_controls(data["content"], limits, "content")
        if "content_type" not in data:
            data["content_type"] = sniff_content_type(data["content"])
    try:
        return RawArticle.model_validate(data)
    except ValidationError as exc:
        raise InvalidEnvelope(_validation_reason(exc)) from exc


def parse_envelope(payload: bytes, *, limits: Limits, source_hint: str = "unknown") -> RawArticle:
    """Accept a JSON envelope, or bare text/HTML bytes (``content`` with the type sniffed)."""
    if len(payload) > limits.max_raw_bytes:
        raise TooLarge(f"message is {len(payload)} bytes; the limit is {limits.max_raw_bytes}")
    if not payload.strip():
        raise EmptyInput("message is empty")
    try:
        text = payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotUtf8(f"not UTF-8: {exc.reason} at byte {exc.start}") from exc
    text = scrub_controls(text, limits)
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            data = orjson.loads(stripped)
        except orjson.JSONDecodeError as exc:
            raise MalformedJson(f"message looks like JSON but does not parse: {exc}") from exc
        return _from_json(data, source_hint, limits)
    return RawArticle(source=source_hint, content=text, content_type=sniff_content_type(text))
