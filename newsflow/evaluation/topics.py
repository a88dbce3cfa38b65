"""``newsflow eval topics PATH``: top-level topic accuracy on AG News-format CSV
(``class,title,description``; 1 World, 2 Sports, 3 Business, 4 Sci/Tech).

Mapping from IPTC Media Topics to AG News classes: 15000000 sport -> Sports; 04000000 economy,
business and finance -> Business; 13000000 science and technology -> Sci/Tech; every other
top-level code -> World. An article with no topic counts as wrong."""

from __future__ import annotations

import csv
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from newsflow.services.enrich.topics import TopicTagger

CLASSES = {1: "World", 2: "Sports", 3: "Business", 4: "Sci/Tech"}
IPTC_TO_AG = {"15000000": 2, "04000000": 3, "13000000": 4}


@dataclass(frozen=True, slots=True)
class TopicScore:
    accuracy: float
    per_class: dict[str, float]
    rows: int
    no_topic: int
    seconds: float
    trained_on_ag_news_dev: bool
    cross_validated: float


def ag_class(codes: list[str]) -> int | None:
    """The AG News class of the best-scoring IPTC code (codes are sorted by score)."""
    return IPTC_TO_AG.get(codes[0][:2] + "000000", 1) if codes else None


def evaluate(path: Path) -> TopicScore:
    csv_path = path / "dev.csv" if path.is_dir() else path
    tagger = TopicTagger()
    correct: Counter[int] = Counter()
    total: Counter[int] = Counter()
    no_topic = 0
    start = time.perf_counter()
    with csv_path.open(newline="", encoding="utf-8") as f:
        for label, title, description in csv.reader(f):
            gold = int(label)
            topics = tagger.classify(title, description)
            guess = ag_class([t.code for t in topics])
            no_topic += guess is None
            total[gold] += 1
            correct[gold] += guess == gold
    seconds = time.perf_counter() - start
    rows = sum(total.values())
    return TopicScore(
        accuracy=sum(correct.values()) / rows,
        per_class={CLASSES[c]: correct[c] / total[c] for c in sorted(total)},
        rows=rows,
        no_topic=no_topic,
        seconds=seconds,
        trained_on_ag_news_dev="ag_news_dev" in tagger.model.training_rows,
        cross_validated=tagger.model.cross_validated,
    )
