"""Site chrome that scrapers leave in the text: navigation, prompts, share lines, bylines,
datelines, "Read more" blocks, caption credits. Every rule here works on one short line and
uses bounded patterns, so cost stays linear in the input."""

from __future__ import annotations

import re

MAX_CHROME_WORDS = 30  # prefix rules only ever apply to lines shorter than this

_CHROME_EXACT = frozenset(
    {
        "editor's picks", "editors picks", "editor’s picks", "editors' picks", "sign up to",
        "sign up", "please select one", "most read", "most popular", "most viewed",
        "most shared", "advertisement", "advertising", "sponsored", "sponsored content",
        "share", "share this", "share this article", "share this story", "share on facebook",
        "share on twitter", "share via email", "tweet", "print", "email", "print this article",
        "follow us", "comments", "show comments", "trending", "trending now", "recommended",
        "recommended for you", "you may also like", "you might also like", "skip to main content",
        "skip to content", "subscribe", "newsletter", "newsletters", "sign in", "log in",
        "register", "menu", "search", "close", "back to top", "top stories", "more stories",
        "latest news", "related topics", "topics", "tags", "listen to this article", "save",
        "copy link", "link copied", "whatsapp", "facebook", "twitter", "linkedin", "reddit",
        "home", "homepage", "next article", "previous article", "load more", "show more",
    }
)  # fmt: skip
_CHROME_PREFIXES = (
    "sign up to ", "sign up for ", "subscribe to ", "subscribe now", "follow us on ",
    "follow us @", "we use cookies", "this site uses cookies", "this website uses cookies",
    "by continuing to use", "accept all cookies", "manage cookies", "cookie settings",
    "cookie policy", "copyright ", "copyright©", "©", "(c) ", "all rights reserved",
    "click here to ", "download our app", "download the app", "get the latest ", "join our ",
    "support our journalism", "reporting by ", "additional reporting by ", "editing by ",
    "writing by ", "our standards:", "share this article", "share on ", "read the full ",
    "listen to this article", "advertisement", "sign up to our", "enter your email",
    "thank you for subscribing", "you have been subscribed", "have your say",
)  # fmt: skip
_MINUTE_READ = re.compile(r"^\d{1,3}\s*(?:min|mins|minute|minutes)\s+read$")
_BULLETS = " *•·-–—|>"

READ_MORE_KEYS = frozenset({"read more", "related", "see also", "related articles",
                            "related stories", "more on this story", "read next"})  # fmt: skip
_READ_MORE_INLINE = re.compile(
    r"^(?:read more|related|see also|read next)\s*:\s*(\S.{0,300})$", re.I
)

_DATE_LINE = re.compile(
    r"^(?P<kind>last updated|updated|first published|published|posted|last modified|modified)"
    r"(?:\s+(?:on|at))?\s*:?\s*(?P<date>\S.{0,79})$",
    re.IGNORECASE,
)
_BYLINE = re.compile(
    r"^(?:by|words by|written by|story by)\s+(?P<names>\S.{0,200})$", re.IGNORECASE
)
_ROLE_LINE = re.compile(
    r"^(?P<name>[A-Z][\w'’.-]{0,30}(?: [A-Za-z][\w'’.-]{0,30}){1,3}),\s+"
    r"(?P<role>(?:[A-Z][\w-]{0,20}\s+){0,4}"
    r"(?:Correspondent|Editor|Reporter|Writer|Columnist|Chief|Analyst|Contributor|Staff))$"
)
_NAME_PARTICLES = frozenset({"de", "da", "del", "van", "von", "der", "den", "al", "el", "bin",
                             "ibn", "le", "la", "du", "dos", "di", "ben", "abu", "st"})  # fmt: skip
_NOT_PEOPLE = frozenset({"reuters", "afp", "ap", "associated press", "staff", "agencies",
                         "our correspondent", "the associated press", "bloomberg", "pa",
                         "press association", "wam", "xinhua", "staff reporter", "published",
                         "updated", "minute read", "min read"})  # fmt: skip
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z.'’ ]{1,40}?)(?:,\s*[A-Z][A-Za-z0-9.'’ ]{1,30}?)?\s*"
    r"(?:\((?P<agency>[A-Za-z .&]{2,30})\))?\s*[-–—]{1,2}\s+(?=\S)"
)

# Photo credits: "... 2017. Michael Klimentyev / Pool / Kremlin / Sputnik / EPA"
_AGENCY_TAIL = re.compile(
    r"(?:^|[\s/(])(?:EPA|AFP|AP|Reuters|Getty Images|Getty|PA|PA Wire|Bloomberg|Shutterstock|Alamy"
    r"|Sputnik|Xinhua|Anadolu|WAM|Pool|Corbis|Rex|Rex Features|NurPhoto|SOPA Images"
    r"|The National|Courtesy)\)?$"
)
_CREDIT_LEAD = re.compile(r"^(?:photo|photograph|picture|image|credit|photo credit)s?\s*:\s*", re.I)
_SENTENCE_END = re.compile(r"[.!?][\"”’)]?\s+(?=[A-Z])")
MAX_CREDIT_WORDS = 14


def key(line: str) -> str:
    """The comparable form of a short line: case-folded, bullets and trailing colons off."""
    return line.strip(_BULLETS).rstrip(" :").strip().casefold()


def word_count(line: str) -> int:
    return len(line.split())


def is_chrome(line: str) -> bool:
    if word_count(line) > MAX_CHROME_WORDS:
        return False
    k = key(line)
    if k in _CHROME_EXACT or _MINUTE_READ.match(k):
        return True
    return k.startswith(_CHROME_PREFIXES)


def read_more_inline(line: str) -> str | None:
    """``Read more: <headline>`` on one line gives the headline."""
    m = _READ_MORE_INLINE.match(line)
    return m.group(1).strip() if m else None


def date_line(line: str) -> tuple[str, str] | None:
    """``Updated: December 11, 2017 10:03 PM`` -> ("updated", "December 11, 2017 10:03 PM")."""
    if word_count(line) > 15:
        return None
    m = _DATE_LINE.match(line)
    if not m:
        return None
    kind = "updated" if m.group("kind").lower() in {"updated", "last updated", "last modified",
                                                    "modified"} else "published"  # fmt: skip
    return kind, m.group("date")


def person_name(text: str) -> str | None:
    """``text`` if it looks like a person's name (2-5 capitalised words, particles allowed)."""
    name = text.strip(" .,;")
    words = name.split()
    if not 2 <= len(words) <= 5 or name.casefold() in _NOT_PEOPLE:
        return None
    for w in words:
        if w.casefold() in _NAME_PARTICLES:
            continue
        if not (w[0].isupper() and any(ch.isalpha() for ch in w)):
            return None
    return name


def byline(line: str) -> list[str] | None:
    """People named by a byline ("By Jane Doe and John Roe", "Jane Doe, Correspondent").
    Returns None when the line is not a byline, [] for a byline naming no person ("By Reuters")."""
    if word_count(line) > 16:
        return None
    m = _BYLINE.match(line)
    if m:
        parts = re.split(r",|\band\b|&|\bin\b", m.group("names"))
        names = [n for n in (person_name(p) for p in parts[:6]) if n]
        if names or m.group("names").strip(" .").casefold() in _NOT_PEOPLE:
            return names
        return None
    m = _ROLE_LINE.match(line)
    if m:
        name = person_name(m.group("name"))
        return [name] if name else None
    return None


def strip_dateline(paragraph: str) -> str:
    """``CAIRO (Reuters) - The ...`` -> ``The ...``; anything else unchanged."""
    m = _DATELINE.match(paragraph[:120])
    if not m:
        return paragraph
    place = m.group("place").strip()
    if not (m.group("agency") or sum(ch.isalpha() for ch in place) >= 3):
        return paragraph
    return paragraph[m.end() :]


def _is_credit(tail: str) -> bool:
    words = word_count(tail)
    if not 1 <= words <= MAX_CREDIT_WORDS or tail.endswith((".", "!", "?")):
        return False
    return " / " in tail or bool(_AGENCY_TAIL.search(tail)) or bool(_CREDIT_LEAD.match(tail))


def split_caption(line: str) -> tuple[str, str] | None:
    """A caption line is prose followed by a credit: returns (caption, credit) or None."""
    if word_count(line) > 120:
        return None
    ends = list(_SENTENCE_END.finditer(line))
    if not ends:
        return None
    cut = ends[-1]
    text, tail = line[: cut.start() + 1].strip(), line[cut.end() :].strip()
    if word_count(text) < 3 or not _is_credit(tail):
        return None
    text = text.rstrip()
    return text, _CREDIT_LEAD.sub("", tail)


def credit_only(line: str) -> str | None:
    """A line that is only a credit ("Photo: Reuters")."""
    if word_count(line) > MAX_CREDIT_WORDS:
        return None
    m = _CREDIT_LEAD.match(line)
    return line[m.end() :].strip() or None if m else None
