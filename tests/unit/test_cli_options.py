"""The small pieces the commands, tests and benchmarks share: topic short names, worker
command lines, the synthetic corpora."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable

from newsflow.corpus import corpus, costly, long_report, sized_article, sized_corpus
from newsflow.procs import worker_command
from newsflow.settings import Settings, Topics


def test_topic_short_names_resolve_and_other_names_pass_through() -> None:
    topics = Settings(topics={"raw": "in.raw", "replayed": "log"}).topics  # type: ignore[arg-type]  # pydantic coerces the dict
    assert topics.resolve("raw") == "in.raw"
    assert topics.resolve("normalized") == "articles.normalized"
    assert topics.resolve("replayed") == "log"
    assert topics.resolve("articles.raw") == "articles.raw"  # a full name, as is
    assert topics.resolve("all") == "all"  # a method of Topics is not a short name
    assert [topics.resolve(n) for n in Topics.model_fields] == topics.all()


def test_worker_command() -> None:
    assert worker_command("ingest") == [sys.executable, "-m", "newsflow", "worker",
                                        "--service", "ingest"]  # fmt: skip
    assert worker_command("all", bootstrap="h:1", web_port=7, python="py") == [
        "py", "-m", "newsflow", "worker", "--service", "all", "--bootstrap", "h:1",
        "--web-port", "7",
    ]  # fmt: skip
    faulty = worker_command("enrich", module=("tests.integration.faulty_worker", "crash_agent"))
    assert faulty[1:5] == ["-m", "tests.integration.faulty_worker", "crash_agent", "worker"]


def test_the_synthetic_corpora_keep_their_bytes() -> None:
    """Tests compute article ids from these bytes and benchmarks compare runs over them: a
    change to newsflow/corpus.py must be deliberate."""

    def digest(payloads: Iterable[bytes]) -> str:
        return hashlib.sha256(b"".join(payloads)).hexdigest()[:16]

    assert digest(corpus(50, start=1000)) == "4356bdbdd4beb15e"
    assert digest(costly().values()) == "f06dc9548d5aba72"
    assert digest([long_report()]) == "dc8a21ba361eb469"
    assert digest(sized_corpus(20, 1.0)) == "dda74a7408c28f6f"
    assert digest([sized_article(100_000, 1200)]) == "18dd3e55bb428c63"
