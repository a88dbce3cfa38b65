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
