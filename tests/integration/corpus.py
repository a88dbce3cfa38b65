"""Synthetic articles for the fault tests: distinct, news-shaped, cheap to enrich."""

from __future__ import annotations

import random

PLACES = [
    "Lisbon",
    "Nairobi",
    "Osaka",
    "Quito",
    "Tallinn",
    "Perth",
    "Accra",
    "Lyon",
    "Pune",
    "Cork",
]
PEOPLE = ["Ana Lima", "Kofi Mensah", "Yuki Sato", "Lena Berg", "Omar Haddad", "Rosa Vidal"]
TOPICS = ["tram line", "harbour", "school", "bridge", "clinic", "market", "airport", "library"]
WORDS = ["council", "officials", "said", "the", "plan", "would", "cost", "more", "than", "expected", "and", "take", "two", "years", "while", "residents", "asked", "for", "more", "buses", "cleaner", "streets", "and", "cheaper", "housing", "near", "the", "centre", "before", "the", "winter"]  # fmt: skip


def article(n: int, *, words: int = 200) -> bytes:
    rnd = random.Random(n)
    place, person, topic = rnd.choice(PLACES), rnd.choice(PEOPLE), rnd.choice(TOPICS)
    title = f"{place} approves new {topic} plan number {n}"
    paragraphs = [f"The city of {place} approved a new {topic} on Tuesday, {person} said."]
    while sum(len(p.split()) for p in paragraphs) < words:
        paragraphs.append(" ".join(rnd.choice(WORDS) for _ in range(25)).capitalize() + ".")
    return "\n\n".join([title, f"Story {n} from the {place} desk", *paragraphs]).encode()


def corpus(count: int, *, start: int = 0) -> list[bytes]:
    return [article(i) for i in range(start, start + count)]


def costly() -> dict[str, bytes]:
    """Valid inputs that are each costly in their own way, all under the 2 MB raw limit: a
    large HTML page with no <title>, one 600,000-character paragraph, 20,000 caption lines,
    and three names repeated 40,000 times each."""
    rnd = random.Random(11)

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
    rnd = random.Random(3)
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
