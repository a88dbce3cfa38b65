"""A user's mistakes end in one line that says what is wrong, and a non-zero exit, never a
traceback (issue 16); secrets never show; the CLI conventions: --version, -h, completion,
``config``, ``[env var: ...]`` in help, ``consume --format/--print-key``, ``-`` for stdin.

In-process through typer's CliRunner (no broker): the Kafka parts are faked where a case needs
them, or meet a socket that accepts and never answers. A few cases also run as a real process,
where a traceback would really print. The tests marked integration use the embedded broker."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, ClassVar

import orjson
import pytest
from aiokafka import ConsumerRecord
from typer.testing import CliRunner, Result

from newsflow import __version__, client, showcase
from newsflow.broker import EmbeddedBroker, free_port
from newsflow.cli import app, messages, run
from newsflow.cli.deadletters import error_codes
from newsflow.cli.messages import Format, render
from newsflow.cli.options import web_port_problem
from newsflow.kafka import connect
from newsflow.settings import InvalidSettings, Settings, leaves, load_settings

runner = CliRunner()
SECRET = "hunter2-secret"
KEY_SECRET = "swordfish-secret"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_stray_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test starts from the defaults: no NEWSFLOW_ variable of the caller's, and a working
    directory with no .env."""
    for name in list(os.environ):
        if name.startswith("NEWSFLOW_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def one_line_error(result: Result, code: int | None = None, *, progress: int = 0) -> str:
    """The case ended as a user's mistake should: a non-zero exit (``code`` when given), no
    traceback, and one line on stderr, ``error: ...``, after ``progress`` lines of a command
    that had started. Returns that line."""
    assert result.exit_code != 0, result.output
    if code is not None:
        assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # not a crash
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 + progress, result.stderr
    assert lines[-1].startswith("error: "), lines[-1]
    assert not any("error" in line for line in lines[:-1]), result.stderr
    return lines[-1]


def _flat(text: str) -> str:
    """Help text as one line: rich wraps it in a box."""
    return re.sub(r"[\s│]+", " ", text)


@contextlib.contextmanager
def silent_listener() -> Iterator[int]:
    """A port where TCP connections are accepted (by the backlog) and never answered: the
    client times out with an empty message of its own."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield int(s.getsockname()[1])


@contextlib.contextmanager
def busy_port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        yield int(s.getsockname()[1])


# --- settings: the variable and what it expects, files checked at start ---


def test_a_missing_ca_file_is_named_with_its_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_SECURITY__PROTOCOL", "SSL")
    monkeypatch.setenv("NEWSFLOW_SECURITY__SSL_CAFILE", "/nonexistent.pem")
    line = one_line_error(runner.invoke(app, ["consume", "--max", "1"]), 2)
    assert (
        line
        == "error: invalid settings: NEWSFLOW_SECURITY__SSL_CAFILE: no such file: /nonexistent.pem"
    )


def test_certificate_and_key_are_checked_too(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NEWSFLOW_SECURITY__PROTOCOL", "SSL")
    monkeypatch.setenv("NEWSFLOW_SECURITY__SSL_CERTFILE", str(tmp_path))
    monkeypatch.setenv("NEWSFLOW_SECURITY__SSL_KEYFILE", str(tmp_path / "key.pem"))
    line = one_line_error(runner.invoke(app, ["produce", "x.txt"]), 2)
    assert f"NEWSFLOW_SECURITY__SSL_CERTFILE: not a file: {tmp_path}" in line
    assert f"NEWSFLOW_SECURITY__SSL_KEYFILE: no such file: {tmp_path / 'key.pem'}" in line
    # without TLS the files are not read, so not checked
    monkeypatch.setenv("NEWSFLOW_SECURITY__PROTOCOL", "PLAINTEXT")
    assert load_settings().security.ssl_certfile == tmp_path


def test_a_readable_ca_file_passes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("not checked for content here\n")
    monkeypatch.setenv("NEWSFLOW_SECURITY__PROTOCOL", "SSL")
    monkeypatch.setenv("NEWSFLOW_SECURITY__SSL_CAFILE", str(ca))
    assert load_settings().security.ssl_cafile == ca


SETTINGS_COMMANDS = [
    ["process", "PLACEHOLDER"],
    ["up"],
    ["produce", "PLACEHOLDER"],
    ["consume", "--max", "1"],
    ["worker"],
    ["deadletters"],
    ["replay", "--all"],
    ["config"],
]


@pytest.mark.parametrize("command", SETTINGS_COMMANDS, ids=lambda c: c[0])
def test_a_bad_number_names_the_variable_in_every_command(
    command: list[str], monkeypatch: pytest.MonkeyPatch, samples: Path
) -> None:
    monkeypatch.setenv("NEWSFLOW_PARTITIONS", "abc")
    args = [str(samples / "rotterdam-dock-strike.txt") if a == "PLACEHOLDER" else a
            for a in command]  # fmt: skip
    line = one_line_error(runner.invoke(app, args), 2)
    assert line == "error: invalid settings: NEWSFLOW_PARTITIONS must be an integer >= 1"


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({"NEWSFLOW_PARTITIONS": "0"}, "NEWSFLOW_PARTITIONS must be an integer >= 1"),
        ({"NEWSFLOW_WEB_PORT": "80"}, "NEWSFLOW_WEB_PORT must be an integer >= 1024 and <= 65535"),
        ({"NEWSFLOW_FETCH_MAX_WAIT": "x"}, "NEWSFLOW_FETCH_MAX_WAIT must be a number > 0 and <= 30"),
        ({"NEWSFLOW_CREATE_TOPICS": "maybe"}, "NEWSFLOW_CREATE_TOPICS must be true or false"),
        ({"NEWSFLOW_LOG_LEVEL": "loud"},
         "NEWSFLOW_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR"),
        ({"NEWSFLOW_APP_ID": "a/b"}, "NEWSFLOW_APP_ID must be text matching ^[A-Za-z0-9._-]+$"),
        ({"NEWSFLOW_LIMITS__MAX_MESSAGE_BYTES": "5"},
         "NEWSFLOW_LIMITS__MAX_MESSAGE_BYTES must be an integer >= 64000"),
        ({"NEWSFLOW_TOPICS": "{raw"},
         "NEWSFLOW_TOPICS must be JSON (or set its parts one by one: NEWSFLOW_TOPICS__RAW...)"),
        ({"NEWSFLOW_SECRETS_DIR": "/nonexistent-secrets"},
         'NEWSFLOW_SECRETS_DIR: directory "/nonexistent-secrets" does not exist'),
        ({"NEWSFLOW_SECURITY__PROTOCOL": "SASL_SSL"},
         "SASL needs NEWSFLOW_SECURITY__SASL_USERNAME and __SASL_PASSWORD"),
    ],
)  # fmt: skip
def test_each_setting_error_says_what_the_variable_expects(
    env: dict[str, str], said: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(InvalidSettings) as caught:
        load_settings()
    assert str(caught.value).startswith(said)
    assert "\n" not in str(caught.value)
    assert caught.value.__cause__ is None  # nothing chained that could carry the value


def test_several_setting_errors_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_PARTITIONS", "abc")
    monkeypatch.setenv("NEWSFLOW_BATCH_SIZE", "9999")
    line = one_line_error(runner.invoke(app, ["config"]), 2)
    assert "NEWSFLOW_PARTITIONS must be an integer >= 1" in line
    assert "NEWSFLOW_BATCH_SIZE must be an integer >= 1 and <= 512" in line


# --- Kafka, files, topics, codes, ports ---


def test_unreachable_broker_always_has_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    """A socket that never answers: the connection times out, and the TimeoutError's own text
    is empty ("cannot reach Kafka at ...: " was the whole message)."""
    monkeypatch.setattr(client, "CONNECT_TIMEOUT", 0.5)
    with silent_listener() as port:
        for command in (["consume", "--max", "1"], ["produce", "--topic", "raw", "-"]):
            result = runner.invoke(app, [*command, "-b", f"127.0.0.1:{port}"], input="story\n")
            line = one_line_error(result, 1)
            assert line.startswith(f"error: cannot reach Kafka at 127.0.0.1:{port}: no answer")


class _NeverAnswers:
    async def start(self) -> None:
        await asyncio.sleep(3600)


def test_up_with_an_unreachable_broker_gives_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    """`up` as far as its showcase, whose first connection times out in the real connect()."""
    started: list[str] = []

    class Broker:
        bootstrap = "127.0.0.1:19555"

        def __init__(self, port: int) -> None:
            self.port = port

        def start(self) -> Broker:
            started.append("broker")
            return self

        def stop(self) -> None:
            started.append("stopped")

    class Proc:
        def send_signal(self, _signal: int) -> None:
            pass

        def wait(self, _timeout: float) -> int:
            return 0

    async def showcase_times_out(settings: Settings, _console: object, _hint: str = "") -> None:
        async def close() -> None:
            pass

        await connect(_NeverAnswers(), settings, timeout=0.05, close=close)

    monkeypatch.setattr(run, "EmbeddedBroker", Broker)
    monkeypatch.setattr(run.subprocess, "Popen", lambda *_a, **_k: Proc())
    monkeypatch.setattr(run.signal, "signal", lambda *_a: None)
    monkeypatch.setattr(showcase, "run_showcase", showcase_times_out)
    monkeypatch.setattr("newsflow.logs.configure_logging", lambda _level, **_kw: None)
    monkeypatch.setattr(run, "web_port_problem", lambda *_a, **_k: None)  # not this test's
    line = one_line_error(runner.invoke(app, ["up", "--port", "0"]), 1, progress=1)
    assert line.startswith("error: cannot reach Kafka at 127.0.0.1:19555: no answer in time")
    assert started == ["broker", "stopped"]


def test_a_folder_is_not_no_such_file(samples: Path) -> None:
    for command in ("produce", "process"):
        line = one_line_error(runner.invoke(app, [command, str(samples)]), 1)
        assert line == (f"error: {samples} is a folder, not a file: name the files in it "
                        f"(e.g. {samples}/*.txt)")  # fmt: skip


def test_replay_refuses_an_unknown_code_and_lists_the_known() -> None:
    line = one_line_error(runner.invoke(app, ["replay", "--code", "nope"]), 2)
    assert line.startswith("error: unknown error code nope; --code takes one of: ")
    listed = line.split(": ")[-1].split(", ")
    assert listed == error_codes()
    assert {"too_large", "no_text", "enrich_failed", "crash_loop"} <= set(listed)


def test_replay_refuses_an_unknown_stage() -> None:
    line = one_line_error(runner.invoke(app, ["replay", "--stage", "publish"]), 2)
    assert line == "error: --stage takes ingest or enrich, not publish"


@pytest.mark.parametrize("n", ["0", "-3"])
def test_consume_max_below_one_is_refused_at_once(n: str) -> None:
    """Documented choice: --max 0 is refused (it used to wait for ever), before any broker."""
    line = one_line_error(runner.invoke(app, ["consume", "--max", n]), 2)
    assert line.startswith(f"error: --max takes a number of messages >= 1, not {n}")


def test_consume_timeout_must_be_positive() -> None:
    line = one_line_error(runner.invoke(app, ["consume", "--timeout", "0"]), 2)
    assert line == "error: --timeout takes seconds > 0, not 0"


def test_process_samples_star_skips_what_is_not_an_article(samples: Path) -> None:
    files = sorted(str(p) for p in samples.iterdir() if p.is_file())
    assert any(f.endswith("README.md") for f in files)
    assert any(f.endswith("__init__.py") for f in files)
    result = runner.invoke(app, ["process", *files])
    assert result.exit_code == 0, result.stderr
    [note] = result.stderr.strip().splitlines()
    assert note.startswith("note: skipped ")
    assert "README.md" in note and "__init__.py" in note and "not article files" in note
    articles = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert len(articles) == 4  # the text, the HTML page, two envelopes: not the README
    assert "README" not in " ".join(a["title"] for a in articles)


def test_process_with_no_article_file_is_an_error(samples: Path) -> None:
    result = runner.invoke(app, ["process", str(samples / "README.md")])
    line = one_line_error(result, 2)
    assert "no article file among" in line and "README.md" in line


def test_worker_web_port_in_use_is_one_line() -> None:
    with busy_port() as port:
        line = one_line_error(runner.invoke(app, ["worker", "--service", "ingest",
                                                  "--web-port", str(port)]), 1)  # fmt: skip
    assert line == (f"error: web port {port} on 127.0.0.1 is already in use (a worker still "
                    "running?): choose another with --web-port or NEWSFLOW_WEB_PORT")  # fmt: skip


def test_worker_all_checks_the_enrich_port_too() -> None:
    for _ in range(50):  # a busy port whose neighbour below is free (any socket may hold it)
        with busy_port() as port:
            if web_port_problem("127.0.0.1", port - 1) is not None:
                continue
            line = one_line_error(runner.invoke(app, ["worker", "--web-port", str(port - 1)]), 1)
        break
    assert f"web port {port} " in line


def test_up_web_port_in_use_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    with busy_port() as port:
        monkeypatch.setenv("NEWSFLOW_WEB_PORT", str(port))
        line = one_line_error(runner.invoke(app, ["up"]), 1)
    assert "already in use" in line and line.endswith("choose another with NEWSFLOW_WEB_PORT")


def test_web_host_that_cannot_be_bound_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_WEB_HOST", "192.0.2.1")  # TEST-NET-1: never this machine's
    line = one_line_error(runner.invoke(app, ["worker", "--web-port", str(free_port())]), 1)
    assert line.startswith("error: cannot listen on 192.0.2.1:") and "NEWSFLOW_WEB_HOST" in line


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (["broker", "--port", "99999"], "--port takes a TCP port from 1 to 65535"),
        (["broker", "--port", "-1"], "--port takes a TCP port from 1 to 65535"),
        (["up", "--port", "70000"], "--port takes a TCP port from 1 to 65535"),
        (["worker", "--web-port", "99999"], "--web-port takes a TCP port from 1 to 65535"),
    ],
)
def test_ports_out_of_range_are_our_message(command: list[str], said: str) -> None:
    line = one_line_error(runner.invoke(app, command), 2)
    assert said in line and command[-1] in line


def test_embedded_broker_refuses_a_port_out_of_range() -> None:
    with pytest.raises(RuntimeError, match=r"port 99999 is not a TCP port \(1 to 65535\)"):
        EmbeddedBroker(99999).start()


# --- produce: topics that do not exist, --create, stdin ---


class FakeAdmin:
    """aiokafka's admin client, as far as ``produce`` uses it."""

    topics: ClassVar[set[str]] = set()
    created: ClassVar[list[Any]] = []

    def __init__(self, **_options: object) -> None:
        pass

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def list_topics(self) -> list[str]:
        return sorted(self.topics)

    async def create_topics(self, topics: list[Any]) -> None:
        type(self).created += topics


@pytest.fixture
def fake_kafka(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[bytes]]]:
    """``produce`` against a broker that has articles.raw and __consumer_offsets; what was
    sent, by topic."""
    FakeAdmin.topics = {"articles.raw", "__consumer_offsets", "feeds.sport"}
    FakeAdmin.created = []
    sent: list[tuple[str, list[bytes]]] = []

    async def send(_settings: Settings, topic: str, payloads: list[bytes]) -> int:
        sent.append((topic, list(payloads)))
        return len(payloads)

    async def ensure(_settings: Settings) -> list[str]:
        raise AssertionError("not for a topic that is not newsflow's")

    monkeypatch.setattr(messages, "AIOKafkaAdminClient", FakeAdmin)
    monkeypatch.setattr(messages, "ensure_topics", ensure)
    monkeypatch.setattr(client, "produce", send)
    return sent


def test_produce_refuses_a_topic_that_does_not_exist(
    fake_kafka: list[tuple[str, list[bytes]]], samples: Path
) -> None:
    article = str(samples / "rotterdam-dock-strike.txt")
    line = one_line_error(runner.invoke(app, ["produce", "--topic", "typo", article]), 1)
    assert line == ("error: no topic 'typo' on localhost:9092 (there: articles.raw, feeds.sport); "
                    "--create creates it")  # fmt: skip
    assert fake_kafka == []
    assert FakeAdmin.created == []


def test_produce_create_makes_the_topic_first(
    fake_kafka: list[tuple[str, list[bytes]]], samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSFLOW_PARTITIONS", "3")
    article = str(samples / "rotterdam-dock-strike.txt")
    result = runner.invoke(app, ["produce", "--topic", "typo", "--create", article])
    assert result.exit_code == 0, result.stderr
    [topic] = FakeAdmin.created
    assert (topic.name, topic.num_partitions) == ("typo", 3)
    assert [t for t, _ in fake_kafka] == ["typo"]
    assert "created topic typo (3 partition(s))" in result.stderr


def test_produce_to_an_existing_topic_needs_no_create(
    fake_kafka: list[tuple[str, list[bytes]]], samples: Path
) -> None:
    result = runner.invoke(app, ["produce", str(samples / "wire-envelopes.jsonl")])
    assert result.exit_code == 0, result.stderr
    assert [(t, len(p)) for t, p in fake_kafka] == [("articles.raw", 2)]
    assert FakeAdmin.created == []


def test_produce_reads_standard_input(fake_kafka: list[tuple[str, list[bytes]]]) -> None:
    result = runner.invoke(app, ["produce", "-"], input="A headline\n\nA story in plain text.\n")
    assert result.exit_code == 0, result.stderr
    [(_, [payload])] = fake_kafka
    envelope = orjson.loads(payload)
    assert envelope["content"].startswith("A headline") and envelope["source"] == "cli"
    lines = b'{"source": "a", "content": "one"}\n\n{"source": "b", "content": "two"}\n'
    result = runner.invoke(app, ["produce", "-"], input=lines)
    assert result.exit_code == 0, result.stderr
    assert [orjson.loads(p)["source"] for p in fake_kafka[1][1]] == ["a", "b"]  # JSON lines


def test_stdin_errors() -> None:
    line = one_line_error(runner.invoke(app, ["process", "-"], input=""), 2)
    assert line == "error: standard input is empty"
    line = one_line_error(runner.invoke(app, ["process", "-", "-"], input="x"), 2)
    assert line == "error: - (standard input) may be given once"


def test_process_reads_standard_input(samples: Path) -> None:
    text = (samples / "rotterdam-dock-strike.txt").read_text()
    result = runner.invoke(app, ["process", "-"], input=text)
    assert result.exit_code == 0, result.stderr
    assert orjson.loads(result.stdout)["title"].startswith("Rotterdam dock workers")
    result = runner.invoke(app, ["process", "-"],
                           input=(samples / "wire-envelopes.jsonl").read_bytes())  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2


# --- consume --format and --print-key ---


def _record(value: bytes | None, key: bytes | None = b"k1", offset: int = 7) -> ConsumerRecord[bytes, bytes]:  # fmt: skip
    return ConsumerRecord("t", 2, offset, 0, 0, key, value, None, 0, 0, [])


def test_render_json_and_pretty_with_and_without_keys() -> None:
    value = b'{"title": "A", "n": 1}'
    assert render(_record(value), Format.json, print_key=False) == value.decode()
    line = orjson.loads(render(_record(value), Format.json, print_key=True))
    assert line == {"topic": "t", "partition": 2, "offset": 7, "key": "k1",
                    "value": {"title": "A", "n": 1}}  # fmt: skip
    assert orjson.loads(render(_record(b"not json", None), Format.json, print_key=True)) == {
        "topic": "t", "partition": 2, "offset": 7, "key": None, "value": "not json"}  # fmt: skip
    pretty = render(_record(value), Format.pretty, print_key=True)
    assert pretty == '# key="k1" partition=2 offset=7\n{\n  "title": "A",\n  "n": 1\n}\n'
    assert render(_record(value), Format.pretty, print_key=False).startswith('{\n  "title"')
    assert render(_record(b"plain"), Format.pretty, print_key=False) == "plain\n"
    assert render(_record(None), Format.pretty, print_key=True).endswith("\nnull\n")


def test_consume_prints_keys_partitions_and_offsets(monkeypatch: pytest.MonkeyPatch) -> None:
    async def records(*_args: object, **_kwargs: object) -> AsyncIterator[ConsumerRecord[bytes, bytes]]:  # fmt: skip
        for n in range(5):
            yield _record(b'{"n": %d}' % n, key=b"k%d" % n, offset=n)

    monkeypatch.setattr(client, "consume_records", records)
    result = runner.invoke(app, ["consume", "--max", "2", "--print-key"])
    assert result.exit_code == 0, result.stderr
    got = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [(g["key"], g["offset"], g["value"]) for g in got] == [("k0", 0, {"n": 0}),
                                                                  ("k1", 1, {"n": 1})]  # fmt: skip
    result = runner.invoke(app, ["consume", "--max", "1", "--format", "pretty"])
    assert result.stdout == '{\n  "n": 0\n}\n\n'
    result = runner.invoke(app, ["consume", "--format", "xml"])
    assert result.exit_code == 2
    assert "xml" in result.stderr and "Traceback" not in result.output


# --- secrets never show ---


def _planted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_SECURITY__PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("NEWSFLOW_SECURITY__SASL_USERNAME", "newsflow")
    monkeypatch.setenv("NEWSFLOW_SECURITY__SASL_PASSWORD", SECRET)
    monkeypatch.setenv("NEWSFLOW_SECURITY__SSL_KEY_PASSWORD", KEY_SECRET)


def test_config_masks_secrets_and_says_where_values_came_from(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _planted(monkeypatch)
    (tmp_path / ".env").write_text("NEWSFLOW_PARTITIONS=7\nNEWSFLOW_TOPICS__RAW=from-dotenv\n")
    monkeypatch.setenv("NEWSFLOW_TOPICS__RAW", "from-env")  # the environment wins over .env
    result = runner.invoke(app, ["config", "-b", "cli-host:1"])
    assert result.exit_code == 0, result.stderr
    assert SECRET not in result.output and KEY_SECRET not in result.output
    rows = {cells[0]: cells[1:] for line in result.stdout.splitlines()
            if len(cells := [c.strip() for c in line.split("│")[1:-1]]) == 3}  # fmt: skip
    assert rows["NEWSFLOW_SECURITY__SASL_PASSWORD"] == ["********", "environment"]
    assert rows["NEWSFLOW_SECURITY__SSL_KEY_PASSWORD"] == ["********", "environment"]
    assert rows["NEWSFLOW_SECURITY__SASL_USERNAME"] == ["newsflow", "environment"]
    assert rows["NEWSFLOW_BOOTSTRAP_SERVERS"] == ["cli-host:1", "command line"]
    assert rows["NEWSFLOW_PARTITIONS"] == ["7", ".env"]
    assert rows["NEWSFLOW_TOPICS__RAW"] == ["from-env", "environment"]
    assert rows["NEWSFLOW_TOPICS__ENRICHED"] == ["articles.enriched", "default"]
    assert rows["NEWSFLOW_SECURITY__SSL_CAFILE"] == ["(not set)", "default"]
    assert len(rows) == len(list(leaves()))  # every setting, once


def test_config_names_secret_files_as_the_source(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "NEWSFLOW_SECURITY__SASL_PASSWORD").write_text(SECRET + "\n")
    monkeypatch.setenv("NEWSFLOW_SECURITY__PROTOCOL", "SASL_PLAINTEXT")
    monkeypatch.setenv("NEWSFLOW_SECURITY__SASL_USERNAME", "u")
    monkeypatch.setenv("NEWSFLOW_SECRETS_DIR", str(secrets))
    result = runner.invoke(app, ["config"])
    assert result.exit_code == 0, result.stderr
    assert SECRET not in result.output
    row = next(line for line in result.stdout.splitlines() if "SASL_PASSWORD" in line)
    assert "********" in row and "secret file" in row


@pytest.mark.parametrize(
    ("command", "extra"),
    [
        (["config"], {"NEWSFLOW_PARTITIONS": SECRET}),  # a secret pasted in the wrong variable
        (["consume", "--max", "1"], {"NEWSFLOW_SECURITY__SSL_CAFILE": "/nonexistent.pem"}),
        (["deadletters"], {"NEWSFLOW_SECURITY__SASL_MECHANISM": SECRET}),
        (["replay", "--all"], {"NEWSFLOW_SECURITY__SASL_USERNAME": ""}),
        (["produce", "--topic", "raw", "-"], {"NEWSFLOW_BOOTSTRAP_SERVERS": "127.0.0.1:1"}),
        (["worker", "--web-port", "99999"], {}),
    ],
)
def test_a_planted_password_never_shows_in_an_error(
    command: list[str], extra: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _planted(monkeypatch)
    for name, value in extra.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(client, "CONNECT_TIMEOUT", 2.0)
    result = runner.invoke(app, command, input="story\n")
    one_line_error(result)
    assert SECRET not in result.output and KEY_SECRET not in result.output


# --- conventions: --version, -h, completion, env vars in help ---


def test_version_and_short_help_in_a_real_process() -> None:
    done = subprocess.run([sys.executable, "-m", "newsflow", "--version"], capture_output=True,
                          text=True, timeout=60, check=False)  # fmt: skip
    assert (done.returncode, done.stdout) == (0, f"{__version__}\n")
    for command in (["config"], ["consume"], ["produce"]):
        short = runner.invoke(app, [*command, "-h"])
        assert short.exit_code == 0 and "Usage" in short.stdout
        assert short.stdout == runner.invoke(app, [*command, "--help"]).stdout


def test_shell_completion_is_on(monkeypatch: pytest.MonkeyPatch) -> None:
    helped = _flat(runner.invoke(app, ["--help"]).stdout)
    assert "--install-completion" in helped and "--show-completion" in helped
    # typer detects the shell from the process tree (a run with no shell above it, e.g. in the
    # background, detects none): the test says which
    monkeypatch.setattr("typer.completion._get_shell_name", lambda: "bash")
    shown = runner.invoke(app, ["--show-completion"])
    assert shown.exit_code == 0, shown.output
    assert "_NEWSFLOW_COMPLETE" in shown.stdout and "complete " in shown.stdout


def test_options_with_a_variable_name_it_in_their_help() -> None:
    for command in ("produce", "consume", "worker", "deadletters", "replay", "config"):
        helped = _flat(runner.invoke(app, [command, "--help"]).stdout)
        assert ("--bootstrap -b HOST:PORT Kafka bootstrap servers, comma-separated. "
                "[env var: NEWSFLOW_BOOTSTRAP_SERVERS] [default: localhost:9092]") in helped, command  # fmt: skip
    helped = _flat(runner.invoke(app, ["worker", "--help"]).stdout)
    assert "[env var: NEWSFLOW_WEB_PORT] [default: 6066]" in helped
    consume = _flat(runner.invoke(app, ["consume", "--help"]).stdout)
    assert "--format" in consume and "<json|pretty>" in consume and "--print-key" in consume


def test_config_is_listed() -> None:
    helped = _flat(runner.invoke(app, ["--help"]).stdout)
    assert "config Print the effective settings and where each came from; secrets masked." in helped


# --- the same mistakes as a real process, where a traceback would really print ---


@pytest.mark.parametrize(
    ("args", "env", "said"),
    [
        (["consume", "--max", "1"],
         {"NEWSFLOW_SECURITY__PROTOCOL": "SSL", "NEWSFLOW_SECURITY__SSL_CAFILE": "/nonexistent.pem"},
         "NEWSFLOW_SECURITY__SSL_CAFILE: no such file: /nonexistent.pem"),
        (["process", "newsflow/samples/rotterdam-dock-strike.txt"], {"NEWSFLOW_PARTITIONS": "abc"},
         "NEWSFLOW_PARTITIONS must be an integer >= 1"),
        (["up"], {"NEWSFLOW_PARTITIONS": "abc"}, "NEWSFLOW_PARTITIONS must be an integer >= 1"),
        (["broker", "--port", "99999"], {},
         "--port takes a TCP port from 1 to 65535 (0: any free port), not 99999"),
    ],
)  # fmt: skip
def test_no_traceback_in_a_real_process(args: list[str], env: dict[str, str], said: str) -> None:
    done = subprocess.run([sys.executable, "-m", "newsflow", *args], capture_output=True,
                          text=True, timeout=120, check=False, cwd=ROOT,
                          env={**os.environ, **env})  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    prefix = "error: invalid settings: " if env else "error: "
    assert done.stderr.strip().splitlines() == [prefix + said]


# --- through the embedded broker ---


@pytest.mark.integration
def test_produce_topic_check_and_consume_keys_on_a_real_broker(
    bootstrap: str, samples: Path
) -> None:
    topic = f"typo-{uuid.uuid4().hex[:8]}"
    article = str(samples / "rotterdam-dock-strike.txt")
    line = one_line_error(runner.invoke(app, ["produce", "-b", bootstrap, "--topic", topic,
                                              article]), 1)  # fmt: skip
    assert f"no topic '{topic}'" in line and "--create" in line
    made = runner.invoke(app, ["produce", "-b", bootstrap, "--topic", topic, "--create", article])
    assert made.exit_code == 0, made.stderr
    again = runner.invoke(app, ["produce", "-b", bootstrap, "--topic", topic, article])
    assert again.exit_code == 0, again.stderr  # it exists now
    got = runner.invoke(app, ["consume", "-b", bootstrap, "--topic", topic, "--from-beginning",
                              "--max", "2", "--timeout", "60", "--print-key"])  # fmt: skip
    assert got.exit_code == 0, got.stderr
    lines = [orjson.loads(line) for line in got.stdout.splitlines()]
    assert [(x["topic"], x["key"]) for x in lines] == [(topic, None)] * 2
    assert all(isinstance(x["offset"], int) and isinstance(x["partition"], int) for x in lines)
    assert all(x["value"]["source"] == "cli" for x in lines)
