"""The small pieces the commands, tests and benchmarks share: topic short names, worker
command lines, --at parsing, --version and -h, the synthetic corpora."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable

import pytest
from typer.testing import CliRunner

from newsflow import __version__
from newsflow.cli import app
from newsflow.cli.options import parse_at
from newsflow.corpus import corpus, costly, long_report, sized_article, sized_corpus
from newsflow.procs import worker_command
from newsflow.settings import Settings, Topics
from newsflow.supervisor import cores, enrich_processes, supervised


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


def test_service_all_starts_ingest_and_the_enrich_processes() -> None:
    one = supervised(Settings(bootstrap_servers="h:1", enrich_processes=1), 7000)
    assert list(one) == ["ingest", "enrich"]
    # unset: one per core, at most the partitions
    assert enrich_processes(Settings()) == max(1, min(cores(), 4))
    assert enrich_processes(Settings(partitions=1)) == 1
    assert len(supervised(Settings(partitions=1), 7000)) == 2
    three = supervised(Settings(bootstrap_servers="h:1", enrich_processes=3), 7000)
    assert list(three) == ["ingest", "enrich", "enrich-2", "enrich-3"]
    assert [argv[argv.index("--service") + 1] for argv in three.values()] == [
        "ingest", "enrich", "enrich", "enrich",
    ]  # fmt: skip
    assert [argv[argv.index("--web-port") + 1] for argv in three.values()] == [
        "7000", "7001", "7002", "7003",
    ]  # fmt: skip
    assert all(argv[argv.index("--bootstrap") + 1] == "h:1" for argv in three.values())


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


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("articles.raw:0:12", ("articles.raw", 0, 12)),
        ("a:b:3:4", ("a:b", 3, 4)),  # a topic may hold colons: the last two fields are numbers
        ("raw-0-1", None),
        ("raw:0", None),
        (":0:1", None),
        ("raw:x:1", None),
        ("raw:0:-1", None),
        ("raw:0:", None),
    ],
)
def test_parse_at(text: str, parsed: tuple[str, int, int] | None) -> None:
    assert parse_at(text) == parsed


def test_version_and_short_help() -> None:
    runner = CliRunner()
    for args in (["--version"], ["version"], ["--version", "process"]):
        result = runner.invoke(app, args)
        assert (result.exit_code, result.stdout) == (0, f"{__version__}\n"), args
    for command in ([], ["replay"], ["eval", "ner"], ["schemas", "export"]):
        short, long = runner.invoke(app, [*command, "-h"]), runner.invoke(app, [*command, "--help"])
        assert short.exit_code == 0 and "Usage" in short.stdout
        assert short.stdout == long.stdout
