"""The small pieces the commands share: topic short names and worker command lines."""

from __future__ import annotations

import sys

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
