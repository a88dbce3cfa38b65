"""Near-duplicate detection: the same story re-scraped with different chrome.

A 64-bit SimHash over word 3-gram shingles; two articles are near-duplicates when their hashes
differ in at most ``max_distance`` bits. The index splits each hash into ``max_distance + 1``
bands: by the pigeonhole principle a near-duplicate matches at least one band exactly, so a
lookup checks a handful of candidates, not the whole index."""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict

import numpy as np

_WORD = re.compile(r"\w+")
SHINGLE = 3
MIN_WORDS = 40  # below this a fingerprint says too little to call two texts the same story
_BITS = np.uint64(1) << np.arange(64, dtype=np.uint64)


def simhash(text: str) -> int | None:
    """64-bit SimHash of ``text`` (None when it is too short to compare)."""
    words = _WORD.findall(text.lower())
    if len(words) < MIN_WORDS:
        return None
    shingles = {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    digests = b"".join(hashlib.blake2b(s.encode(), digest_size=8).digest() for s in shingles)
    hashes = np.frombuffer(digests, dtype="<u8")
    bits = (hashes[:, None] & _BITS) != 0  # one row per shingle, one column per bit
    votes = bits.sum(axis=0) * 2 > len(hashes)
    return int(sum(1 << i for i, v in enumerate(votes) if v))


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


class NearDuplicateIndex:
    """The last ``capacity`` fingerprints seen, for ``find``; oldest forgotten first."""

    def __init__(self, *, capacity: int = 100_000, max_distance: int = 3) -> None:
        self.capacity = capacity
        self.max_distance = max_distance
        self._bands = max_distance + 1
        self._width = 64 // self._bands
        self._entries: OrderedDict[str, int] = OrderedDict()  # article_id -> fingerprint
        self._buckets: dict[tuple[int, int], set[str]] = {}

    def _keys(self, fp: int) -> list[tuple[int, int]]:
        mask = (1 << self._width) - 1
        return [(b, (fp >> (b * self._width)) & mask) for b in range(self._bands)]

    def __len__(self) -> int:
        return len(self._entries)

    def find(self, fp: int, *, exclude: str | None = None) -> str | None:
        """The id of the closest earlier article within ``max_distance`` bits, if any."""
        best: tuple[int, str] | None = None
        for key in self._keys(fp):
            for other in self._buckets.get(key, ()):
                if other == exclude:
                    continue
                d = distance(fp, self._entries[other])
                if d <= self.max_distance and (best is None or (d, other) < best):
                    best = (d, other)
        return best[1] if best else None

    def add(self, article_id: str, fp: int) -> None:
        if article_id in self._entries:
            self._entries.move_to_end(article_id)
            return
        self._entries[article_id] = fp
        for key in self._keys(fp):
            self._buckets.setdefault(key, set()).add(article_id)
        while len(self._entries) > self.capacity:
            old_id, old_fp = self._entries.popitem(last=False)
            for key in self._keys(old_fp):
                bucket = self._buckets[key]
                bucket.discard(old_id)
                if not bucket:
                    del self._buckets[key]
