"""IPTC Media Topics (top level) from a keyword lexicon shipped in ``data/iptc_lexicon.json``.

A transparent baseline: each topic's score saturates with the share of the article's words
that are its keywords, with title and standfirst words counted double."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources

from schemas.enriched import ModelInfo, Topic

_WORD = re.compile(r"[a-z]+")
THRESHOLD = 0.35
MAX_TOPICS = 4
_HALF_AT = 0.012  # keyword share of the text at which a topic scores 0.5


@dataclass(frozen=True, slots=True)
class TopicLexicon:
    info: ModelInfo
    labels: dict[str, str]
    keyword_topics: dict[str, tuple[str, ...]]

    @classmethod
    def load(cls) -> TopicLexicon:
        raw = json.loads(
            resources.files("services.enrich").joinpath("data/iptc_lexicon.json").read_text("utf-8")
        )
        index: dict[str, list[str]] = {}
        for code, spec in raw["topics"].items():
            for word in spec["keywords"]:
                index.setdefault(word, []).append(code)
        return cls(
            info=ModelInfo(name=raw["name"], version=raw["version"]),
            labels={code: spec["label"] for code, spec in raw["topics"].items()},
            keyword_topics={w: tuple(codes) for w, codes in index.items()},
        )

    def classify(self, headline_text: str, body_text: str) -> list[Topic]:
        words = _WORD.findall(headline_text.lower()) * 2 + _WORD.findall(body_text.lower())
        if not words:
            return []
        hits: Counter[str] = Counter()
        for word in words:
            for code in self.keyword_topics.get(word, ()):
                hits[code] += 1
        topics = []
        for code, n in hits.items():
            share = n / len(words)
            score = share / (share + _HALF_AT)
            if score >= THRESHOLD:
                topics.append(Topic(code=code, label=self.labels[code], score=round(score, 4)))
        topics.sort(key=lambda t: -t.score)
        return topics[:MAX_TOPICS]
