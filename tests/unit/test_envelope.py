"""From message bytes to RawArticle: what is accepted, and the typed error for what is not."""

from __future__ import annotations

import orjson
import pytest

from newsflow.services.errors import (
    BinaryContent,
    EmptyInput,
    InvalidEnvelope,
    MalformedJson,
    NotAnObject,
    NotUtf8,
    PoisonError,
    TooLarge,
    UnsupportedSchemaVersion,
)
from newsflow.services.ingest.envelope import parse_envelope, sniff_content_type
from newsflow.services.limits import Limits

LIMITS = Limits()


def test_bare_text_is_accepted_as_content() -> None:
    raw = parse_envelope(b"Headline here\n\nSome body text.", limits=LIMITS, source_hint="feed")
    assert raw.content_type == "text/plain"
    assert raw.source == "feed"
    assert raw.content.startswith("Headline here")


def test_bare_html_is_sniffed() -> None:
    raw = parse_envelope(b"<!DOCTYPE html><html><body><p>x</p></body></html>", limits=LIMITS)
    assert raw.content_type == "text/html"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<html><p>a</p></html>", "text/html"),
        ("  \n<!-- cms -->\n<div>a</div>", "text/html"),
        ("<3 this story", "text/plain"),
        ("Prices rose 3% <b>sharply</b>", "text/plain"),
    ],
)
def test_sniff(text: str, expected: str) -> None:
    assert sniff_content_type(text) == expected


def test_envelope_fields_and_defaults() -> None:
    payload = orjson.dumps(
        {
            "source": "wire",
            "url": "https://example.com/a",
            "content": "<html><body><p>x</p></body></html>",
            "metadata": {"title": "T"},
            "unknown_field": 1,
        }
    )
    raw = parse_envelope(payload, limits=LIMITS)
    assert raw.content_type == "text/html"  # sniffed when the envelope leaves it out
    assert raw.url == "https://example.com/a"
    assert raw.metadata == {"title": "T"}
    assert raw.received_at.tzinfo is not None


@pytest.mark.parametrize(
    ("payload", "error", "reason_part"),
    [
        (b"", EmptyInput, "empty"),
        (b"  \n\t ", EmptyInput, "empty"),
        (b"\xff\xfeabc", NotUtf8, "UTF-8"),
        (b"\x00\x01\x02PK\x03\x04 binary garbage \x05\x06", BinaryContent, "7 control"),
        (b"\x00\x07 \x00", BinaryContent, "only control characters"),
        (bytes(range(1, 32)) * 10, BinaryContent, "control characters"),
        (b'{"source": "x", "content": ', MalformedJson, "does not parse"),
        (b"[1, 2]", NotAnObject, "list"),
        (b'{"source": "x"}', InvalidEnvelope, "content"),
        (b'{"source": 3, "content": ["a"]}', InvalidEnvelope, "source"),
        (
            b'{"source": "x", "content": "a", "content_type": "image/png"}',
            InvalidEnvelope,
            "content_type",
        ),
        (b'{"source": "x", "content": "a", "url": "ftp://x"}', InvalidEnvelope, "url"),
        (b'{"schema_version": 2, "source": "x", "content": "a"}', UnsupportedSchemaVersion, "2"),
        (b'{"source": "x", "content": "\\u0000\\u0001 "}', BinaryContent, "content"),
        (b'{"source": "x", "content": "' + b"a\\u0007" * 10 + b'"}', BinaryContent, "10 control"),
    ],
)
def test_bad_input_gets_its_typed_error(
    payload: bytes, error: type[PoisonError], reason_part: str
) -> None:
    with pytest.raises(error) as caught:
        parse_envelope(payload, limits=LIMITS)
    assert reason_part in caught.value.reason
    assert caught.value.code == error.code


def test_size_limit_is_checked_before_anything_else() -> None:
    limits = Limits(max_message_bytes=64_000)  # raw input: half of it
    with pytest.raises(TooLarge, match="32001 bytes"):
        parse_envelope(b"x" * 32_001, limits=limits)
    assert parse_envelope(b"x" * 32_000, limits=limits).content == "x" * 32_000


def test_error_codes_are_distinct() -> None:
    codes = [
        cls.code
        for cls in (EmptyInput, NotUtf8, BinaryContent, MalformedJson, NotAnObject,
                    InvalidEnvelope, UnsupportedSchemaVersion, TooLarge)
    ]  # fmt: skip
    assert len(set(codes)) == len(codes)
