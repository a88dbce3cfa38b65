"""Unicode clean-up for scraped text: mojibake repaired, NFC, junk characters removed,
whitespace normalised. Curly quotes and dashes are kept as published."""

from __future__ import annotations

import re
import unicodedata

import ftfy

_FTFY = ftfy.TextFixerConfig(
    uncurl_quotes=False,  # keep typography as published
    fix_latin_ligatures=True,
    fix_character_width=False,
    normalization="NFC",
    explain=False,
)
# C0/C1 controls except tab and newline, plus zero-width and bidi-control characters.
_JUNK = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ufffe]"
)
# An HTML character reference left in text ("Jos&#233; Manuel Barroso" in a feed's plain text).
_ENTITY = re.compile(r"&(?:#\d{2,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,10});")
_SPACES = re.compile(r"[^\S\n]+")  # any run of whitespace but newline
_BLANKS = re.compile(r"\n{3,}")


def clean_text(text: str) -> str:
    """Repair and normalise ``text``; newlines survive (they carry paragraph structure)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # mojibake, ligatures and normal forms are all beyond ASCII; character references are not
    if not text.isascii() or _ENTITY.search(text):
        text = ftfy.fix_text(text, _FTFY)
        text = unicodedata.normalize("NFC", text)
    text = _JUNK.sub("", text)
    text = _SPACES.sub(" ", text)
    lines = [line.strip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n\n", "\n".join(lines)).strip()


def clean_line(text: str) -> str:
    """``clean_text`` for one-line fields (titles, names): all whitespace becomes one space."""
    return " ".join(clean_text(text).split())
