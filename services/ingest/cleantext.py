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


# Hard-wrapped text (wire copy, e-mail, press releases filed at 60-80 columns): a paragraph's
# lines but its last fill the width, and most of them end inside a sentence.
WRAP_MIN_LINES = 3
WRAP_WIDTHS = (40, 100)  # the width (90th percentile line length) a hard wrap is set at
FULL_LINE = 0.7  # a line at least this share of the width is filled: its paragraph goes on
WRAPPED_SHARE = 0.5  # share of lines filled and ending inside a sentence, in wrapped text
_SENTENCE_END = (".", "!", "?", ":", '"', "”", "’", "'", ")")
_BULLET = re.compile(r"\s*(?:[-*•–—]|\d{1,2}[.)])\s")


def _width(lines: list[str]) -> int:
    lengths = sorted(len(line) for line in lines)
    return lengths[int(0.9 * (len(lengths) - 1))]


def unwrap(text: str) -> str:
    """``text`` with the hard line breaks inside its paragraphs joined, when it is hard-wrapped:
    most of its lines filled to one width of 40-100 characters and ending inside a sentence
    (Reuters' 1987 wire: "...Bank of Nova\nScotia, Gulf International Bank..."). A paragraph
    ends at a blank line, a line short of the width, before an indented line (the wire's
    paragraph mark) and before a bullet. Any other text is returned as it is: one paragraph a
    line, however long."""
    lines = text.split("\n")
    filled = [line.rstrip() for line in lines if line.strip()]
    if len(filled) < WRAP_MIN_LINES:
        return text
    width = _width(filled)
    if not WRAP_WIDTHS[0] <= width <= WRAP_WIDTHS[1]:
        return text
    full = FULL_LINE * width
    inside = sum(len(x) >= full and not x.endswith(_SENTENCE_END) for x in filled[:-1])
    if inside < WRAPPED_SHARE * (len(filled) - 1):
        return text
    out: list[str] = []
    previous = ""
    for line in lines:
        stripped = line.strip()
        new_paragraph = not stripped or line[:1].isspace() or _BULLET.match(line) is not None
        # a filled line goes on, and so does a sentence going on in lower case
        going_on = not previous.endswith(_SENTENCE_END) and stripped[:1].islower()
        goes_on = len(previous) >= full or going_on
        if previous and goes_on and not new_paragraph:
            out[-1] += " " + stripped
        else:
            out.append(line)
        previous = line.rstrip()
    return "\n".join(out)


def clean_text(text: str) -> str:
    """Repair and normalise ``text``; newlines survive (they carry paragraph structure), but
    those of hard-wrapped text inside its paragraphs (``unwrap``)."""
    text = unwrap(text.replace("\r\n", "\n").replace("\r", "\n"))
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
