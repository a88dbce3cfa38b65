"""What the commands share: the option types, the error exit, settings from the command line,
reading article files (and ``-``), port checks and ``--at`` parsing.

A user's mistake ends with ``fail``: one line on stderr naming what is wrong, and a non-zero
exit (2 for a wrong argument, 1 for the world not being as asked: a file, a broker, a port)."""

from __future__ import annotations

import errno
import logging
import socket
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import orjson
import typer
from rich.console import Console
from rich.markup import escape

from newsflow.settings import DEFAULT_BOOTSTRAP, InvalidSettings, Settings, load_settings

if TYPE_CHECKING:
    from newsflow.inputs import Input

err = Console(stderr=True, emoji=False)  # ":b:" in a topic name is text, not an emoji


def env_help(text: str, variable: str, default: object) -> str:
    """Help text that names the option's environment variable and its default (escaped: rich
    would read ``[env var: ...]`` as markup and drop it)."""
    return f"{text} \\[env var: {variable}] \\[default: {default}]"


Bootstrap = Annotated[
    str | None,
    typer.Option(
        "--bootstrap",
        "-b",
        metavar="HOST:PORT",
        help=env_help("Kafka bootstrap servers, comma-separated.", "NEWSFLOW_BOOTSTRAP_SERVERS",
                      DEFAULT_BOOTSTRAP),
    ),
]  # fmt: skip
Files = Annotated[
    list[Path],
    typer.Argument(help="Text, HTML, JSON envelope or .jsonl files; - reads standard input."),
]
Idle = Annotated[
    float, typer.Option(help="Stop reading when no dead letter arrived for S seconds.")
]


class ServiceChoice(StrEnum):
    ingest = "ingest"
    enrich = "enrich"
    all = "all"


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``."""
    err.print(f"[bold red]error:[/bold red] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def note(message: str) -> None:
    """Print ``note: message`` on stderr (something skipped, not an error)."""
    err.print(f"[yellow]note:[/yellow] {escape(message)}", soft_wrap=True)


def settings_for(bootstrap: str | None = None) -> Settings:
    """The settings, with ``--bootstrap`` when given; exit 2 when they are invalid, naming each
    variable and what it expects (never a value: it may be a password)."""
    try:
        return load_settings(bootstrap_servers=bootstrap)
    except InvalidSettings as exc:
        fail(f"invalid settings: {exc}", 2)


def client_settings(bootstrap: str | None) -> Settings:
    """``settings_for``, for the short-lived commands that talk to Kafka (produce, consume,
    deadletters, replay): they say what went wrong in one line, so aiokafka's own log lines
    ("Unable connect to ...") are kept for NEWSFLOW_LOG_LEVEL=DEBUG."""
    settings = settings_for(bootstrap)
    if settings.log_level != "DEBUG":
        logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    return settings


def kafka_failed(exc: Exception) -> NoReturn:
    """Exit 1 for a broker that cannot be reached (``BrokerUnavailable``), always with a reason:
    a connection that times out has an empty message of its own."""
    text = str(exc).rstrip()
    if text.endswith(":"):
        cause = exc.__cause__
        if cause is None or isinstance(cause, TimeoutError):
            reason = ("no answer in time (is it a Kafka broker, and does "
                      "NEWSFLOW_SECURITY__PROTOCOL match its listener?)")  # fmt: skip
        else:
            reason = str(cause) or type(cause).__name__
        text = f"{text} {reason}"
    fail(text)


# --- article files ---

STDIN = "-"
ARTICLE_SUFFIXES = (".txt", ".text", ".html", ".htm", ".json", ".jsonl")


def read_articles(files: list[Path], *, source: str) -> list[Input]:
    """The articles in ``files`` (``-``: standard input), in order. A missing file or a folder
    ends the command; files that are not articles by their suffix (a README.md, an __init__.py
    from ``samples/*``) are skipped with a note; no article at all is an error."""
    from newsflow.inputs import read_inputs  # noqa: PLC0415

    if sum(str(p) == STDIN for p in files) > 1:
        fail("- (standard input) may be given once", 2)
    for path in files:
        if str(path) == STDIN:
            continue
        if path.is_dir():
            fail(f"{path} is a folder, not a file: name the files in it (e.g. {path}/*.txt)")
        if not path.exists():
            fail(f"no such file: {path}")
    skipped = [p for p in files if str(p) != STDIN and p.suffix.lower() not in ARTICLE_SUFFIXES]
    kinds = f"articles are {', '.join(ARTICLE_SUFFIXES)} files, or - for standard input"
    chosen = [p for p in files if p not in skipped]
    if skipped:
        names = ", ".join(str(p) for p in skipped[:5])
        more = f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        if not chosen:
            fail(f"no article file among {names}{more} ({kinds})", 2)
        note(f"skipped {names}{more}: not article files ({kinds})")
    inputs: list[Input] = []
    for path in chosen:
        try:
            inputs += _stdin(source) if str(path) == STDIN else read_inputs([path], source=source)
        except OSError as exc:
            fail(f"cannot read {path}: {exc.strerror or exc}")
    return inputs


def _stdin(source: str) -> list[Input]:
    """Standard input as JSON lines when every non-empty line is a JSON object, else as one
    article (text, HTML or an envelope), as a file would be read."""
    from newsflow.inputs import Input  # noqa: PLC0415
    from newsflow.services.ingest.envelope import sniff_content_type  # noqa: PLC0415

    if sys.stdin.isatty():
        err.print("reading articles from standard input (Ctrl-D ends)")
    data = sys.stdin.buffer.read()
    lines = [(n, line) for n, line in enumerate(data.splitlines(), start=1) if line.strip()]
    if not lines:
        fail("standard input is empty", 2)
    if len(lines) > 1 and all(_is_object(line) for _, line in lines):
        return [Input(f"{STDIN}:{n}", line) for n, line in lines]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [Input(STDIN, data)]  # the pipeline refuses it with its reason
    if text.lstrip().startswith("{"):
        return [Input(STDIN, data)]  # already an envelope
    envelope = {"source": source, "content_type": sniff_content_type(text), "content": text}
    return [Input(STDIN, orjson.dumps(envelope))]


def _is_object(line: bytes) -> bool:
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False


# --- ports ---


def check_port(port: int, option: str = "--port", *, any_free: bool = False) -> None:
    """Exit 2 unless ``port`` is a TCP port number (or 0, for any free one, with ``any_free``)."""
    if not (0 if any_free else 1) <= port <= 65535:
        free = " (0: any free port)" if any_free else ""
        fail(f"{option} takes a TCP port from 1 to 65535{free}, not {port}", 2)


def web_port_problem(host: str, port: int, *, option: bool = True) -> str | None:
    """Why a worker's web server (/healthz, /readyz, /metrics) could not listen on
    ``host:port`` now, with what to change; None when it could (bound and released at once,
    with SO_REUSEADDR as aiohttp binds). ``option``: the command has --web-port."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(address)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            how = "--web-port or NEWSFLOW_WEB_PORT" if option else "NEWSFLOW_WEB_PORT"
            return (f"web port {port} on {host} is already in use (a worker still running?): "
                    f"choose another with {how}")  # fmt: skip
        return f"cannot listen on {host}:{port}: {exc.strerror or exc} (see NEWSFLOW_WEB_HOST)"
    return None


def parse_at(text: str) -> tuple[str, int, int] | None:
    """``TOPIC:PARTITION:OFFSET`` as (topic, partition, offset); None when it is not that. The
    topic may itself contain colons: the last two fields are the numbers."""
    rest, _, offset = text.rpartition(":")
    topic, _, partition = rest.rpartition(":")
    if not (topic and partition.isdigit() and offset.isdigit()):
        return None
    return topic, int(partition), int(offset)
