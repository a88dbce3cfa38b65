"""An article's language: the text decides, with lingua (all languages, low-accuracy mode); a
language the page's markup or the feed declares is only a hint, taken when the text is too
short or too mixed to tell.

* lingua reads chunks of the article (the title, standfirst and paragraphs, whole paragraphs
  together until ``CHUNK_CHARS``, each cut at twice that), at most ``MAX_CHUNKS`` of them
  spread over the article: no more than the 3,000 characters of the first paragraphs its one
  call read before, at about the same cost (7.5% more instructions on 200 BBC stories; ~7 ms
  an article).
* A language's *support* is lingua's confidence in it over the chunks, weighted by their
  letters. A text in one language gives it about 1.0; a page half in one language and half
  in another gives each about 0.5 (lingua over the whole text gives the larger half 1.0).
* The text decides, over any hint, when it has ``MIN_LETTERS`` letters and one language has
  ``DECIDED`` support. A shorter one is not trusted over a hint, nor without one unless
  lingua is sure (``SHORT_CONFIDENCE``): lingua names another language with support >= 0.9
  for 97 of 1,805 English AG News headlines and headline-plus-line texts under 80 letters,
  and with support >= 0.75 for 5 of 2,995 from 80 letters on.
* Otherwise the hint is taken if it fits the text's script (a Latin-script language for a
  text mostly in Latin letters, another for one that is not: a Korean headline under
  ``<html lang="en">`` is not English) and, for a mixed text, if a quarter of it is in that
  language. With no hint, a short text gets lingua's best guess when its support is
  ``SHORT_CONFIDENCE`` (for English ``SHORT_ENGLISH``: lingua gave English that much support
  for none of 781 texts in 66 other languages, spaCy's example sentences). Anything else is
  None: unknown.
* Before lingua, a chunk is screened for plain English (``plainly_english``): at least
  ``PLAIN_MIN_WORDS`` words, ``PLAIN_ENGLISH`` of them from ``ENGLISH_ONLY``, common English
  words that no other language spaCy knows lists among its stop words. Such a chunk is English
  with confidence 1.0, and lingua does not read it (lingua was most of ingest's time). On 3,766
  chunks of BBC stories and AG News rows the share's 10th percentile is 0.09 and its median
  0.18; the most any other language's text reached (spaCy's example sentences, 60 languages)
  is 0.02. A chunk the screen does not pass goes to lingua, as before."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

from lingua import LanguageDetector, LanguageDetectorBuilder

CHUNK_CHARS = 300  # lingua's accuracy in low-accuracy mode is good from a sentence or two on
MAX_CHUNKS = 5
AGREED = 0.9  # both ends of a text this sure of one language: the middle is not read
MIN_LETTERS = 80  # fewer letters than this: too short for the text to overrule a hint
DECIDED = 0.75  # support at which the text decides: at least 3/4 of it in one language
SHORT_CONFIDENCE = 0.9  # support a short or mixed text needs when there is no hint...
SHORT_ENGLISH = 0.5  # ...but English: lingua gave no other-language text that much

#: ISO 639-1 codes of languages not written in Latin letters: lingua's, and other common ones
#: a page may declare. A hint from this set fits a text mostly in other letters; Serbian
#: (Cyrillic or Latin) fits either; any other hint, a text mostly in Latin letters.
NON_LATIN = frozenset({
    "am", "ar", "be", "bg", "bn", "el", "fa", "gu", "he", "hi", "hy", "ja", "ka",
    "kk", "km", "ko", "ky", "lo", "mk", "ml", "mn", "mr", "my", "ne", "pa", "ps",
    "ru", "si", "ta", "te", "tg", "th", "uk", "ur", "yi", "zh",
})  # fmt: skip
EITHER_SCRIPT = frozenset({"sr"})

PLAIN_ENGLISH = 0.08  # share of ENGLISH_ONLY words that makes a chunk plainly English
PLAIN_MIN_WORDS = 20  # ...among at least this many words...
PLAIN_DISTINCT = 5  # ...and this many different ones (not "if" and "while" in code)
#: Common English words that are in no other language's stop-word list in spaCy 3.8 (60
#: languages): the most frequent of them in BBC stories and AG News rows, 97% of their uses.
#: "to", "in", "is", "of", "and", "also", "was" are not here: Polish, Dutch, German and others
#: list them.
ENGLISH_ONLY = frozenset(
    """
    about across after again against almost already although always among another any around
    back because become been before behind being between both but can could did does done down
    during each eight enough ever every few first five former four from full further get give
    him his how however if its just keep last least less made make might more move much must
    name never next nine not now off only other our out own part put really say several she
    should show side since some something still such than that the their them then there these
    they third this those three through too top two until up used using very well were what
    when where whether which while who why with within without would yet you your
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
_WORD = re.compile(r"[^\W\d_]+")
_LETTER = re.compile(r"[^\W\d_]")
_LATIN = re.compile(r"[A-Za-z\u00aa\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]")


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()


def _chunks(texts: Sequence[str]) -> list[str]:
    """Whole texts together until ``CHUNK_CHARS`` (each chunk cut at twice that), at most
    ``MAX_CHUNKS`` of them spread evenly over the article, the first always (the title's)."""
    spans: list[tuple[int, int]] = []  # [start, end) indexes into texts
    start, chars = 0, 0
    for i, text in enumerate(texts):
        chars += len(text) + 1
        if chars >= CHUNK_CHARS:
            spans.append((start, i + 1))
            start, chars = i + 1, 0
    if start < len(texts):
        spans.append((start, len(texts)))
    if len(spans) > MAX_CHUNKS:
        step = (len(spans) - 1) / (MAX_CHUNKS - 1)
        spans = [spans[round(k * step)] for k in range(MAX_CHUNKS)]
    return ["\n".join(texts[a:b])[: 2 * CHUNK_CHARS] for a, b in spans]


def letters(text: str) -> int:
    return len(_LETTER.findall(text))


def mostly_latin(text: str) -> bool:
    """Whether at least half the letters of ``text`` are Latin (True for a text with none)."""
    n = letters(text)
    return n == 0 or 2 * len(_LATIN.findall(text)) >= n


def plainly_english(chunk: str) -> bool:
    """Whether ``chunk`` is plainly English: mostly Latin letters, ``PLAIN_MIN_WORDS`` words or
    more, at least ``PLAIN_ENGLISH`` of them ``ENGLISH_ONLY`` words, ``PLAIN_DISTINCT`` of
    those different."""
    words = _WORD.findall(chunk.lower())
    if len(words) < PLAIN_MIN_WORDS:
        return False
    english = [word for word in words if word in ENGLISH_ONLY]
    return (
        len(english) >= PLAIN_ENGLISH * len(words)
        and len(set(english)) >= PLAIN_DISTINCT
        and mostly_latin(chunk)
    )


def _fits_script(hint: str, text: str) -> bool:
    return hint in EITHER_SCRIPT or (hint in NON_LATIN) != mostly_latin(text)


class Support(NamedTuple):
    shares: dict[str, float]  # ISO 639-1 code -> support in [0, 1], only those above 0
    letters: int  # letters lingua read
    sample: str  # what it read: the chunks, joined


def support(texts: Sequence[str]) -> Support:
    """Each language's support in ``texts``: lingua's confidence in it over the chunks,
    weighted by their letters. The first and last chunks are read first; when both are one
    language, confidently (``AGREED``), the chunks between are not read (lingua is most of the
    cost of normalising a page; a mixed page shows in its ends or goes on to all chunks)."""
    chunks = _chunks([t for t in texts if t])
    order = (
        [0, len(chunks) - 1, *range(1, len(chunks) - 1)] if len(chunks) > 2 else range(len(chunks))
    )
    totals: dict[str, float] = {}
    total_letters = 0
    tops: list[tuple[str, float]] = []
    read: list[str] = []
    for index in order:
        chunk = chunks[index]
        n = letters(chunk)
        if not n:
            continue
        total_letters += n
        read.append(chunk)
        confidences = _confidences(chunk)
        for code, value in confidences:
            totals[code] = totals.get(code, 0.0) + n * value
        if confidences:
            tops.append(confidences[0])
        if _agreed(tops):
            break
    shares = {code: total / total_letters for code, total in totals.items()}
    return Support(shares, total_letters, "\n".join(read))


def _confidences(chunk: str) -> list[tuple[str, float]]:
    """(ISO 639-1 code, confidence) for the languages ``chunk`` may be in, the likeliest first:
    English alone for a plainly English chunk, else lingua's (those above 0)."""
    if plainly_english(chunk):
        return [("en", 1.0)]
    return [
        (str(value.language.iso_code_639_1.name.lower()), value.value)
        for value in _detector().compute_language_confidence_values(chunk)
        if value.value > 0
    ]


def _agreed(tops: list[tuple[str, float]]) -> bool:
    """Two chunks or more, each read as the same language with confidence ``AGREED``."""
    return len(tops) >= 2 and len({c for c, _ in tops}) == 1 and min(v for _, v in tops) >= AGREED


def identify(texts: Sequence[str], hint: str | None = None) -> str | None:
    """The ISO 639-1 code of the language ``texts`` (title, standfirst, paragraphs, in order)
    are written in, or None when unknown. ``hint``: the language the markup or the feed
    declares, taken only when the text cannot decide (see the module's docstring)."""
    shares, n, sample = support(texts)
    best, share = max(shares.items(), key=lambda kv: kv[1], default=(None, 0.0))
    if n >= MIN_LETTERS:  # long enough to tell: the text decides, or is mixed
        if share >= DECIDED:
            return best
        return hint if hint is not None and shares.get(hint, 0.0) >= 1 - DECIDED else None
    if hint is not None and _fits_script(hint, sample):
        return hint
    return best if share >= (SHORT_ENGLISH if best == "en" else SHORT_CONFIDENCE) else None
