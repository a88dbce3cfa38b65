"""Whole-word occurrences of many names in one pass over a text (for ``mentions.propagate``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

# A whole word: a form matches at a position not preceded by one of these characters and not
# followed by one (``(?<![\w-])form(?![\w-])``).
_GLUED = re.compile(r"[\w-]")
# How forms and text are cut for matching: runs of word characters, and any other single
# character. A form that occurs as a whole word is the same sequence of pieces as the text.
_PIECE = re.compile(r"\w+|\W")


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
    characters); at each possible start (a word start, or a form's first character, not glued
    to a word or hyphen before it) the text is walked down the trie as far as it matches, so
    the work per start is bounded by the length of the longest form, whatever their number."""

    def __init__(self, forms: Iterable[str]) -> None:
        self._root = _Node()
        for form in forms:
            node = self._root
            for piece in _PIECE.findall(form):
                node = node.next.setdefault(piece, _Node())
            if node is not self._root:  # an empty form matches nothing
                node.form = form
        heads = "".join(sorted({piece[0] for piece in self._root.next}))
        self._starts = re.compile(rf"(?<![\w-])[{re.escape(heads)}]") if heads else None

    def _at(self, text: str, start: int) -> Iterator[tuple[int, str]]:
        """Each form that occurs as a whole word at ``start``: (end, form), shortest first."""
        node: _Node | None = self._root
        pos = start
        while node is not None and (piece := _PIECE.match(text, pos)) is not None:
            node = node.next.get(piece.group())
            pos = piece.end()
            if node is not None and node.form is not None and not _GLUED.match(text, pos):
                yield pos, node.form

    def finditer(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, form) left to right, at each start the longest form, never
        overlapping: what ``finditer`` over the alternation (longest first) finds."""
        if self._starts is None:
            return
        end = 0
        for head in self._starts.finditer(text):
            start = head.start()
            if start < end:
                continue
            longest = None
            for found in self._at(text, start):  # shortest first: the last is the longest
                longest = found
            if longest is not None:
                end, form = longest
                yield start, end, form

    def occurrences(self, text: str) -> Iterator[str]:
        """Every form occurring as a whole word, overlapping ones too (what one ``search``
        per form would find)."""
        if self._starts is None:
            return
        for head in self._starts.finditer(text):
            for _, form in self._at(text, head.start()):
                yield form
