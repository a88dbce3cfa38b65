"""Date parsing for what scrapers and pages print. A zone is kept only when the input gives one."""

from __future__ import annotations

from datetime import datetime, timezone

from dateutil import parser as dateparser

_MAX_DATE_CHARS = 80  # a date phrase is short; refuse to hand a paragraph to the parser


def parse_date(text: str | None) -> datetime | None:
    """Parse a printed date ("December 11, 2017 10:03 PM", "2017-12-11T22:03:00+04:00")."""
    if not text:
        return None
    text = text.strip()
    if not text or len(text) > _MAX_DATE_CHARS or not any(ch.isdigit() for ch in text):
        return None
    try:
        when: datetime = dateparser.parse(text, fuzzy=False)
        # Inside the try: an offset of a day or more ("+2400") parses, then fails here.
        offset = when.utcoffset()
        # dateutil hands back tzlocal() when an offset equals the machine's zone: pin it.
        return when if offset is None else when.replace(tzinfo=timezone(offset))
    except (ValueError, OverflowError):
        return None
