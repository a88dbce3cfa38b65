"""Synthetic news articles, seeded: the same arguments give the same bytes (tests compute
article ids from them). Pure and small; the tests and the benchmarks share it.

Two shapes, kept apart because what was measured and tested with each depends on its exact
bytes:

* :func:`article` / :func:`corpus`: short "<place> approves new <topic> plan" stories with
  25-word paragraphs (the fault tests), and :func:`costly` / :func:`long_report`, valid inputs
  that are costly to process.
* :func:`sized_article` / :func:`sized_corpus`: "<place> council approves plan" stories of a
  chosen length in 40-word paragraphs, with lengths spread as news is (the end-to-end
  benchmark).
"""

from __future__ import annotations

import math
import random

PLACES = ["Lisbon", "Nairobi", "Osaka", "Quito", "Tallinn", "Perth", "Accra", "Lyon", "Pune",
          "Cork"]  # fmt: skip
PEOPLE = ["Ana Lima", "Kofi Mensah", "Yuki Sato", "Lena Berg", "Omar Haddad", "Rosa Vidal"]
TOPICS = ["tram line", "harbour", "school", "bridge", "clinic", "market", "airport", "library"]
WORDS = [
    "council", "officials", "said", "the", "plan", "would", "cost", "more", "than", "expected",
    "and", "take", "two", "years", "while", "residents", "asked", "for", "more", "buses",
    "cleaner", "streets", "and", "cheaper", "housing", "near", "the", "centre", "before", "the",
    "winter"
]  # fmt: skip

# The sized shape's own vocabulary and places (PLACES without Cork).
SIZED_WORDS = [
    "the", "council", "said", "on", "monday", "that", "the", "new", "plan", "would", "cost",
    "more", "than", "expected", "while", "residents", "asked", "for", "buses", "housing",
    "schools", "and", "cleaner", "streets", "before", "the", "winter", "and", "officials", "in",
    "the", "capital", "promised", "talks", "with", "unions", "companies", "and", "the",
    "government"
]  # fmt: skip
SIZED_PLACES = PLACES[:9]


def article(n: int, *, words: int = 200) -> bytes:
    """Article number ``n``: a title, a dateline, a lead and paragraphs to ``words`` words."""
    rnd = random.Random(n)  # noqa: S311 - seeded text, not a secret
    place, person, topic = rnd.choice(PLACES), rnd.choice(PEOPLE), rnd.choice(TOPICS)
    title = f"{place} approves new {topic} plan number {n}"
    paragraphs = [f"The city of {place} approved a new {topic} on Tuesday, {person} said."]
    while sum(len(p.split()) for p in paragraphs) < words:
        paragraphs.append(" ".join(rnd.choice(WORDS) for _ in range(25)).capitalize() + ".")
    return "\n\n".join([title, f"Story {n} from the {place} desk", *paragraphs]).encode()


def corpus(count: int, *, start: int = 0) -> list[bytes]:
    """Articles ``start`` to ``start + count - 1``: distinct, news-shaped, cheap to enrich."""
    return [article(i) for i in range(start, start + count)]


def costly() -> dict[str, bytes]:
    """Valid inputs that are each costly in their own way, all under the 2 MB raw limit: a
    large HTML page with no <title>, one 600,000-character paragraph, 20,000 caption lines,
    and three names repeated 40,000 times each."""
    rnd = random.Random(11)  # noqa: S311 - seeded text, not a secret

    def sentence() -> str:
        return " ".join(rnd.choice(WORDS) for _ in range(24)).capitalize() + "."

    paragraphs = "".join(f"<p>{sentence()} Ana Lima spoke in Lisbon.</p>\n" for _ in range(9_000))
    html = f"<html><head></head><body><article>{paragraphs}</article></body></html>"
    long_paragraph = " ".join(sentence() for _ in range(4_000))[:600_000]
    captions = "\n".join(
        f"Boats {i} moored in the harbour at dawn on Monday. Photograph: Jane Roe {i}/Reuters"
        for i in range(20_000)
    )
    names = "\n\n".join(
        " ".join(["Angela Merkel met Emmanuel Macron and Joe Biden."] * 25) for _ in range(1_600)
    )
    return {
        "html without title": html.encode(),
        "600,000-character paragraph": f"One long paragraph\n\n{long_paragraph}".encode(),
        "20,000 caption lines": f"Harbour pictures\n\nThe harbour reopened on Monday.\n\n"
        f"{captions}".encode(),
        "three names 40,000 times each": f"Three leaders meet\n\n{names}".encode(),
    }


def long_report(chars: int = 470_000) -> bytes:
    """A valid article near the size limit, dense with names: a few seconds of enrichment."""
    rnd = random.Random(3)  # noqa: S311 - seeded text, not a secret
    paragraphs: list[str] = []
    size = 0
    while size < chars:
        paragraph = " ".join(
            f"{rnd.choice(PEOPLE)} met officials in {rnd.choice(PLACES)} and "
            + " ".join(rnd.choice(WORDS) for _ in range(12))
            + "."
            for _ in range(8)
        )
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    return ("A very long report\n\n" + "\n\n".join(paragraphs)).encode()


def sized_article(n: int, words: int) -> bytes:
    """Article number ``n`` of at least ``words`` words (the sized shape)."""
    rnd = random.Random(n)  # noqa: S311 - seeded text, not a secret
    place, person = rnd.choice(SIZED_PLACES), rnd.choice(PEOPLE)
    paras = [
        f"{place} council approves plan {n}",
        f"Story {n} from the {place} desk",
        f"The city of {place} approved plan {n} on Tuesday, {person} said.",
    ]
    while sum(len(p.split()) for p in paras) < words:
        paras.append(" ".join(rnd.choice(SIZED_WORDS) for _ in range(40)).capitalize() + ".")
    return "\n\n".join(paras).encode()


def sized_corpus(count: int, scale: float) -> list[bytes]:
    """``count`` sized articles of 300 to 5,000 words (log-uniform, median ~1,200) times
    ``scale``."""
    rnd = random.Random(7)  # noqa: S311 - seeded sizes, not a secret
    sizes = [
        int(math.exp(rnd.uniform(math.log(300), math.log(5000))) * scale) for _ in range(count)
    ]
    return [sized_article(i, s) for i, s in enumerate(sizes)]
