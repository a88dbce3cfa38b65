"""Date parsing for what scrapers and pages print. A zone is kept only when the input gives one."""

from __future__ import annotations

import re
import warnings
from datetime import datetime, timezone

from dateutil import parser as dateparser
from dateutil.parser import UnknownTimezoneWarning

_MAX_DATE_CHARS = 80
_ISO_LIKE = re.compile(
    r"^\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d{1,6})?)?)?(?:Z|[+-]\d\d:?\d\d)?$"
)  # a date phrase is short; refuse to hand a paragraph to the parser


def parse_date(text: str | None) -> datetime | None:
    """Parse a printed date ("December 11, 2017 10:03 PM", "2017-12-11T22:03:00+04:00")."""
    if not text:
        return None
    text = text.strip()
    if not text or len(text) > _MAX_DATE_CHARS or not any(ch.isdigit() for ch in text):
        return None
    if _ISO_LIKE.match(text):  # most machine dates: the standard library's parser, 50x faster
        try:
            when = datetime.fromisoformat(
                text.replace("Z", "+00:00", 1) if text.endswith("Z") else text
            )
        except ValueError:
            pass
        else:
            offset = when.utcoffset()
            return when if offset is None else when.replace(tzinfo=timezone(offset))
    try:
        parsed: datetime = dateparser.parse(text, fuzzy=False)
        # Inside the try: an offset of a day or more ("+2400") parses, then fails here.
        offset = parsed.utcoffset()
        # dateutil hands back tzlocal() when an offset equals the machine's zone: pin it.
        return parsed if offset is None else parsed.replace(tzinfo=timezone(offset))
    except (ValueError, OverflowError):
        return None


# Zone abbreviations datelines print, with their offsets in hours (only unambiguous ones:
# "IST" is India, Ireland or Israel, "ET" either of two offsets: left naive).
_ZONES = {
    "UTC": 0, "GMT": 0, "Z": 0, "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "MSK": 3,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "AKST": -9, "AKDT": -8, "HST": -10, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11,
    "SGT": 8, "HKT": 8, "WIB": 7,
}  # fmt: skip
_TZINFOS = {name: int(hours * 3600) for name, hours in _ZONES.items()}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
# a month by name with its day: "Nov 19", "November 18th", "19 Nov", "18th of November"
_MONTH_WORD = re.compile(
    rf"\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b",
    re.I,
)
_NUMERIC_DATE = re.compile(r"\b(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{4})\b")
_DAY_FIRST = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b")
_WEEKDAY = re.compile(
    r"\b(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\b,?", re.I
)


def parse_visible_date(text: str) -> str | None:
    """A dateline as printed for readers ("Published 7:07 PM EST Nov 19, 2019", "Monday,
    November 18th, 2019 at 11:08 a.m.", "13.11.2019, 23:06", "[ 2018-08-25 15:24 ]") as ISO
    8601, with its offset when the zone printed is unambiguous; None unless the text names a
    month or writes a numeric date, with a four-digit year."""
    text = text[:120]
    if not re.search(r"\b(?:19|20)\d\d\b", text):
        return None
    if not (_MONTH_WORD.search(text) or _NUMERIC_DATE.search(text)):
        return None
    cleaned = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", text)
    cleaned = re.sub(r"\b([ap])\.\s?m\.?", r"\1m", cleaned, flags=re.I)
    cleaned = _WEEKDAY.sub(" ", cleaned)
    cleaned = re.sub(r"\b(?:at|on|um|à|alle|às)\b|[\[\]()|]", " ", cleaned, flags=re.I)
    try:
        with warnings.catch_warnings():  # a zone it does not know ("AMT"): a naive time
            warnings.simplefilter("ignore", UnknownTimezoneWarning)
            when: datetime = dateparser.parse(
                cleaned, fuzzy=True, tzinfos=_TZINFOS, dayfirst=bool(_DAY_FIRST.search(cleaned))
            )
    except (ValueError, OverflowError):
        return None
    if not 1990 <= when.year <= 2100:  # plausible news years
        return None
    has_time = bool(re.search(r"\d{1,2}[:.h]\d\d|\d\s*[ap]m\b", cleaned, re.I))
    if not has_time:
        return when.date().isoformat()
    return when.replace(second=0, microsecond=0).isoformat()
