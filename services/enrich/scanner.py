"""Whole-word occurrences of many names in one pass over a text (for ``mentions.propagate``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import accumulate

# A whole word: a form matches at a position not preceded by one of these characters and not
# followed by one (``(?<![\w-])form(?![\w-])``).
_GLUED = re.compile(r"[\w-]")
# How forms and text are cut for matching: runs of word characters, and any other single
# character. A form that occurs as a whole word is the same sequence of pieces as the text.
_PIECE = re.compile(r"\w+|\W")


def pieces_of(text: str) -> list[str]:
    """``text`` cut into pieces as forms are: runs of word characters, and any other single
    character."""
    return _PIECE.findall(text)


def _indexes(pieces: list[str], piece: str) -> Iterator[int]:
    """Where ``piece`` is in ``pieces`` (found by ``list.index``, without a loop in Python
    over every piece)."""
    i = -1
    while True:
        try:
            i = pieces.index(piece, i + 1)
        except ValueError:
            return
        yield i


class _Node:
    __slots__ = ("form", "next")

    def __init__(self) -> None:
        self.next: dict[str, _Node] = {}
        self.form: str | None = None  # the form that ends here


class FormScanner:
    r"""Whole-word occurrences of many surface forms in one pass over a text.

    Does what ``re.finditer`` over ``(?<![\w-])(form1|form2|...)(?![\w-])`` with the forms
    longest first does, without its cost: Python's re tries every alternative at every word
    start (text x forms). Forms are kept in a trie of pieces (word runs and single other
    characters). The text is cut into pieces once; a piece that is some form's first piece,
    not glued to a word or hyphen before it, is a possible start, from which the pieces are
    walked down the trie as far as they match. The work per start is bounded by the length of
    the longest form, whatever their number, and a piece that starts no form costs one
    dictionary lookup."""

    def __init__(self, forms: Iterable[str]) -> None:
        self._root = _Node()
        for form in forms:
            node = self._root
            for piece in pieces_of(form):
                node = node.next.setdefault(piece, _Node())
            if node is not self._root:  # an empty form matches nothing
                node.form = form

    def _starts(
        self, text: str, pieces: list[str] | None
    ) -> Iterator[tuple[int, list[tuple[int, str]]]]:
        """Each possible start in ``text`` left to right, with the forms that occur there as
        a whole word: (start, [(end, form), ...] shortest first)."""
        heads = self._root.next
        if pieces is None:
            pieces = pieces_of(text)  # a start is a piece's start (a word run's, or a character's)
        present = heads.keys() & pieces
        if not present:
            return
        offsets = list(accumulate(map(len, pieces), initial=0))  # where each piece starts
        for i in sorted(i for head in present for i in _indexes(pieces, head)):
            start = offsets[i]
            if start and _GLUED.match(text, start - 1):
                continue
            found = []
            node: _Node | None = heads[pieces[i]]
            j = i + 1
            while node is not None:
                if node.form is not None and not _GLUED.match(text, offsets[j]):
                    found.append((offsets[j], node.form))
                node = node.next.get(pieces[j]) if j < len(pieces) else None
                j += 1
            yield start, found

    def finditer(
        self, text: str, pieces: list[str] | None = None
    ) -> Iterator[tuple[int, int, str]]:
        """(start, end, form) left to right, at each start the longest form, never
        overlapping: what ``finditer`` over the alternation (longest first) finds.
        ``pieces``: ``pieces_of(text)``, when the caller has it already."""
        end = 0
        for start, found in self._starts(text, pieces):
            if start >= end and found:
                end, form = found[-1]  # shortest first: the last is the longest
                yield start, end, form

    def occurrences(self, text: str, pieces: list[str] | None = None) -> Iterator[str]:
        """Every form occurring as a whole word, overlapping ones too (what one ``search``
        per form would find). ``pieces``: ``pieces_of(text)``, when the caller has it already."""
        for _, found in self._starts(text, pieces):
            for _, form in found:
                yield form
