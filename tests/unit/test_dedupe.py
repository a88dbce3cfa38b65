"""Near-duplicates: the same story re-scraped with different chrome is marked, not dropped."""

from __future__ import annotations

from pathlib import Path

from newsflow.schemas import NormalizedArticle
from newsflow.services.ingest.dedupe import NearDuplicateIndex, distance, simhash
from newsflow.services.ingest.handler import handle_raw
from newsflow.services.ingest.normalise import normalise_payload
from newsflow.services.limits import Limits
from newsflow.services.routing import Coordinates

AT = Coordinates("raw", 0, 0)


def _rescrape(original: str) -> str:
    """The same story from another scrape: other chrome, another related block, a typo fixed."""
    text = original.replace(
        "Advertisement\nMost Read", "Share this article\nMost Popular\nCookie settings"
    )
    text = text.replace("Antwerp overtakes Hamburg", "Hamburg loses ground to Antwerp")
    return (
        "Skip to main content\n\n"
        + text.replace("Monday evening", "Monday evening,")
        + "\n\nTrending Now"
    )


def test_rescrape_is_marked_duplicate_of_the_first(samples: Path) -> None:
    original = (samples / "rotterdam-dock-strike.txt").read_text()
    index = NearDuplicateIndex()
    limits = Limits()
    first = NormalizedArticle.model_validate_json(
        handle_raw(original.encode(), None, AT, limits=limits, index=index).value
    )
    again = NormalizedArticle.model_validate_json(
        handle_raw(_rescrape(original).encode(), None, AT, limits=limits, index=index).value
    )
    assert first.duplicate_of is None
    assert again.article_id != first.article_id  # the texts differ, so do the ids
    assert again.duplicate_of == first.article_id
    other = (samples / "venice-flood-barrier.html").read_bytes()
    unrelated = NormalizedArticle.model_validate_json(
        handle_raw(other, None, AT, limits=limits, index=index).value
    )
    assert unrelated.duplicate_of is None


def test_redelivery_is_not_its_own_duplicate(samples: Path) -> None:
    payload = (samples / "rotterdam-dock-strike.txt").read_bytes()
    index = NearDuplicateIndex()
    for _ in range(2):
        routed = handle_raw(payload, None, AT, limits=Limits(), index=index)
        assert NormalizedArticle.model_validate_json(routed.value).duplicate_of is None
    assert len(index) == 1


def test_distance_separates_stories(samples: Path) -> None:
    a = normalise_payload((samples / "rotterdam-dock-strike.txt").read_bytes())
    b = normalise_payload((samples / "venice-flood-barrier.html").read_bytes())
    assert a.simhash and b.simhash
    assert distance(int(a.simhash, 16), int(b.simhash, 16)) > 10


def test_short_texts_have_no_fingerprint() -> None:
    assert simhash("Too short to tell two stories apart.") is None


def test_index_forgets_the_oldest() -> None:
    index = NearDuplicateIndex(capacity=2, max_distance=3)
    index.add("a", 0b1111)
    index.add("b", 1 << 40)
    index.add("c", 1 << 20)
    assert index.find(0b1111) is None  # "a" was evicted
    assert index.find((1 << 40) | 1) == "b"
    assert len(index) == 2


def test_capacity_zero_marks_nothing() -> None:
    index = NearDuplicateIndex(capacity=0)
    index.add("a", 42)
    assert index.find(42) is None
