"""The ``newsflow`` command. Every command that talks to Kafka takes ``--bootstrap``
(default: NEWSFLOW_BOOTSTRAP_SERVERS, else localhost:9092)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
from collections import Counter
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from rich.console import Console
from rich.markup import escape

from newsflow import __version__
from newsflow.broker import EmbeddedBroker, free_port, port_open
from newsflow.kafka import BrokerUnavailable, TransactionsUnsupported
from newsflow.procs import child_options, worker_command
from newsflow.settings import Settings, load_settings

if TYPE_CHECKING:
    from newsflow.deadletters import Outcome, Selector

app = typer.Typer(
    name="newsflow",
    help="Self-hostable news ingestion: raw articles in, normalised and enriched articles out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
schemas_app = typer.Typer(help="The message contracts as JSON Schema.", no_args_is_help=True)
app.add_typer(schemas_app, name="schemas")
eval_app = typer.Typer(help="Quality evaluations on public benchmark data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
err = Console(stderr=True)

Bootstrap = Annotated[
    str | None,
    typer.Option(
        "--bootstrap",
        "-b",
        metavar="HOST:PORT",
        help="Kafka bootstrap servers [default: $NEWSFLOW_BOOTSTRAP_SERVERS or localhost:9092]",
    ),
]
Files = Annotated[list[Path], typer.Argument(help="Text, HTML, JSON envelope or .jsonl files.")]


class ServiceChoice(StrEnum):
    ingest = "ingest"
    enrich = "enrich"
    all = "all"


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]error:[/bold red] {escape(message)}")
    raise typer.Exit(code)


def settings_for(bootstrap: str | None) -> Settings:
    try:
        return load_settings(bootstrap_servers=bootstrap)
    except (ValidationError, SettingsError) as exc:  # neither shows the values it was given
        fail(f"invalid settings: {exc}", 2)


@app.command()
def version() -> None:
    """Print newsflow's version."""
    print(__version__)


@app.command()
def broker(
    port: Annotated[int, typer.Option(help="Port to listen on (loopback only).")] = 9092,
) -> None:
    """Run the embedded Kafka-protocol broker (Tansu, memory storage) until Ctrl-C."""
    b = EmbeddedBroker(port, quiet=False)
    signal.signal(signal.SIGTERM, _interrupt)  # before the port opens: a stop may come at once
    try:
        b.start()
        err.print(f"broker listening on [bold]{b.bootstrap}[/bold] (memory storage; Ctrl-C stops)")
        code = b.wait()
    except RuntimeError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        code = 0
    finally:
        b.stop()
    raise typer.Exit(0 if code in (0, -signal.SIGTERM, -signal.SIGINT) else code)


def _interrupt(_signum: int, _frame: object) -> None:
    """SIGTERM ends a blocking command the way Ctrl-C does (cleanup runs in `finally`)."""
    raise KeyboardInterrupt


@app.command()
def worker(
    bootstrap: Bootstrap = None,
    service: Annotated[ServiceChoice, typer.Option(help="Which stage to run.")] = ServiceChoice.all,
    web_port: Annotated[
        int | None,
        typer.Option(
            help="faust's web port [default: $NEWSFLOW_WEB_PORT or 6066; enrich +1 under 'all']"
        ),
    ] = None,
) -> None:
    """Run the ingest and/or enrich workers until SIGTERM or Ctrl-C."""
    settings = settings_for(bootstrap)
    if service is ServiceChoice.all:
        from newsflow.worker import run_all  # noqa: PLC0415  # faust is slow to import

        base = web_port or settings.web_port
        argv = {
            s: worker_command(s, bootstrap=settings.bootstrap_servers, web_port=base + i)
            for i, s in enumerate(("ingest", "enrich"))
        }
        raise typer.Exit(run_all(settings, argv))  # type: ignore[arg-type]  # keys are Service
    from newsflow.worker import run_worker  # noqa: PLC0415

    try:
        run_worker(settings, service.value, web_port=web_port)  # type: ignore[arg-type]  # ingest|enrich
    except (BrokerUnavailable, TransactionsUnsupported) as exc:
        fail(str(exc))


@app.command()
def produce(
    files: Files,
    bootstrap: Bootstrap = None,
    source: Annotated[
        str, typer.Option(help="Feed name for files that are not envelopes.")
    ] = "cli",
    topic: Annotated[str, typer.Option(help="Topic (short name or full).")] = "raw",
) -> None:
    """Publish articles to the raw topic."""
    from newsflow.client import produce as send  # noqa: PLC0415
    from newsflow.inputs import read_inputs  # noqa: PLC0415

    settings = settings_for(bootstrap)
    try:
        payloads = [i.payload for i in read_inputs(files, source=source)]
        n = asyncio.run(send(settings, settings.topics.resolve(topic), payloads))
    except (FileNotFoundError, BrokerUnavailable) as exc:
        fail(str(exc))
    err.print(f"published {n} article(s) to {settings.topics.resolve(topic)}")


@app.command()
def consume(
    bootstrap: Bootstrap = None,
    topic: Annotated[
        str, typer.Option(help="raw, normalized, enriched, deadletter or a topic name.")
    ] = "enriched",
    from_beginning: Annotated[
        bool, typer.Option("--from-beginning", help="Start at the oldest message.")
    ] = False,
    max_messages: Annotated[
        int | None, typer.Option("--max", help="Stop after N messages.")
    ] = None,
    timeout: Annotated[float | None, typer.Option(help="Stop after S seconds.")] = None,
) -> None:
    """Print messages as JSON lines on stdout. With --max, exits 1 if fewer arrived in time."""
    from newsflow.client import consume as receive  # noqa: PLC0415

    settings = settings_for(bootstrap)
    name = settings.topics.resolve(topic)

    async def run() -> int:
        n = 0
        messages = receive(settings, name, from_beginning=from_beginning, timeout=timeout)
        async with contextlib.aclosing(messages):
            async for value in messages:
                sys.stdout.write(value.decode("utf-8", "replace").rstrip("\n") + "\n")
                sys.stdout.flush()
                n += 1
                if max_messages is not None and n >= max_messages:
                    break
        return n

    try:
        n = asyncio.run(run())
    except BrokerUnavailable as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    if max_messages is not None and n < max_messages:
        fail(f"timed out after {timeout}s with {n} of {max_messages} message(s) from {name}")


@app.command()
def process(
    files: Files, source: Annotated[str, typer.Option(help="Feed name for plain files.")] = "cli"
) -> None:
    """Normalise and enrich files offline (no broker): one JSON line per article on stdout,
    in input order; failures go to stderr as dead-letter lines. Exits 1 if any failed."""
    from newsflow.inputs import read_inputs  # noqa: PLC0415
    from newsflow.offline import process_inputs  # noqa: PLC0415

    try:
        inputs = list(read_inputs(files, source=source))
    except FileNotFoundError as exc:
        fail(str(exc))
    failed = 0
    for line, ok in process_inputs(inputs, load_settings()):
        stream = sys.stdout if ok else sys.stderr
        stream.write(line + "\n")
        failed += not ok
    sys.stdout.flush()
    if failed:
        raise typer.Exit(1)


Idle = Annotated[
    float, typer.Option(help="Stop reading when no dead letter arrived for S seconds.")
]


@app.command()
def deadletters(
    bootstrap: Bootstrap = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print each dead letter as a JSON line.")
    ] = False,
    idle: Idle = 3.0,
    timeout: Annotated[float, typer.Option(help="Stop after S seconds in all.")] = 300.0,
) -> None:
    """Summarise the dead-letter topic by stage and error code (or list it with --json)."""
    from rich.table import Table  # noqa: PLC0415

    from newsflow.deadletters import read_dead_letters, summarise  # noqa: PLC0415

    settings = settings_for(bootstrap)
    try:
        stored = asyncio.run(read_dead_letters(settings, idle=idle, timeout=timeout))
    except BrokerUnavailable as exc:
        fail(str(exc))
    letters = [x.dead_letter for x in stored]
    if as_json:
        for dl in letters:
            sys.stdout.write(dl.model_dump_json() + "\n")
        return
    table = Table(title=f"{len(letters)} dead letter(s) on {settings.topics.deadletter}")
    for column in ("stage", "error code", "count", "first", "last", "example reason"):
        table.add_column(column, justify="right" if column == "count" else "left",
                         no_wrap=column != "example reason")  # fmt: skip
    for g in summarise(letters):
        first = g.first.isoformat(timespec="seconds") if g.first else "-"
        last = g.last.isoformat(timespec="seconds") if g.last else "-"
        table.add_row(g.stage, g.error_code, str(g.count), first, last, g.example[:80])
    Console(width=None if sys.stdout.isatty() else 200).print(table)  # pipes get whole lines


STAGES = ("ingest", "enrich")


@app.command()
def replay(
    bootstrap: Bootstrap = None,
    code: Annotated[
        list[str] | None, typer.Option(help="Error code to replay (repeatable).")
    ] = None,
    stage: Annotated[list[str] | None, typer.Option(help="ingest or enrich (repeatable).")] = None,
    at: Annotated[
        list[str] | None,
        typer.Option(help="TOPIC:PARTITION:OFFSET of a failed input (repeatable)."),
    ] = None,
    all_letters: Annotated[bool, typer.Option("--all", help="Replay every dead letter.")] = False,
    to: Annotated[
        str | None,
        typer.Option(
            help="Target topic, short name or full [default: the failed stage's input "
            "topic: raw for ingest, normalized for enrich]."
        ),
    ] = None,
    again: Annotated[
        bool, typer.Option("--again", help="Also send dead letters already replayed.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only say what would be replayed.")
    ] = False,
    idle: Idle = 3.0,
) -> None:
    """Re-publish selected dead letters (their whole original bytes and key) to the failed
    stage's input topic, once: each replay is recorded on the replay-log topic and skipped next
    time unless --again. Prints what was sent, skipped and not sent; exits 1 if the selection
    is empty or anything selected was not sent."""
    from newsflow.deadletters import Selector, read_dead_letters  # noqa: PLC0415
    from newsflow.deadletters import replay as send_again  # noqa: PLC0415

    if not (code or stage or at or all_letters):
        fail("say what to replay: --code, --stage, --at or --all", 2)
    if unknown := sorted(set(stage or ()) - set(STAGES)):
        fail(f"--stage takes ingest or enrich, not {', '.join(unknown)}", 2)
    coordinates = set()
    for item in at or []:
        topic, _, rest = item.rpartition(":")
        topic, _, partition = topic.rpartition(":")
        if not (topic and partition.isdigit() and rest.isdigit()):
            fail(f"--at takes TOPIC:PARTITION:OFFSET, not {item!r}", 2)
        coordinates.add((topic, int(partition), int(rest)))
    select = Selector(frozenset(code or ()), frozenset(stage or ()), frozenset(coordinates))
    settings = settings_for(bootstrap)
    if to is not None and settings.topics.resolve(to) in (
        settings.topics.deadletter,
        settings.topics.replayed,
    ):
        fail(f"--to {to}: dead letters never go back to the dead-letter topic or the replay log", 2)

    async def run() -> list[Outcome] | None:
        letters = await read_dead_letters(settings, idle=idle, timeout=300.0)
        chosen = [x for x in letters if select(x.dead_letter)]
        if not chosen:
            return None
        return await send_again(settings, chosen, to=to, again=again, dry_run=dry_run, idle=idle)

    try:
        outcomes = asyncio.run(run())
    except BrokerUnavailable as exc:
        fail(str(exc))
    if outcomes is None:
        fail(f"no dead letter on {settings.topics.deadletter} matches {_selection(select)}")
    _print_outcomes(outcomes)
    counts = Counter(o.status for o in outcomes)
    verb = "would replay" if dry_run else "replayed"
    err.print(f"{verb} {counts['would send' if dry_run else 'sent']} dead letter(s); skipped "
              f"{counts['skipped']} already replayed; {counts['not sent']} not sent")  # fmt: skip
    if not all(o.ok for o in outcomes):
        raise typer.Exit(1)


def _selection(select: Selector) -> str:
    parts = [*(f"--code {c}" for c in sorted(select.codes)),
             *(f"--stage {s}" for s in sorted(select.stages)),
             *(f"--at {t}:{p}:{o}" for t, p, o in sorted(select.coordinates))]  # fmt: skip
    return " ".join(parts) or "--all"


def _print_outcomes(outcomes: list[Outcome]) -> None:
    from rich.table import Table  # noqa: PLC0415

    table = Table(title=f"{len(outcomes)} dead letter(s) selected")
    for column in ("status", "dead letter", "stage", "error code", "failed input", "to", "detail"):
        table.add_column(column, no_wrap=column not in ("detail",))
    for o in outcomes:
        dl = o.letter.dead_letter
        source = f"{dl.source_topic}:{dl.source_partition}:{dl.source_offset}"
        detail = "; ".join(x for x in (o.detail, o.warning) if x)
        style = "" if o.ok else "red"
        table.add_row(o.status, o.letter.key, dl.stage, dl.error_code, source, o.to, detail,
                      style=style)  # fmt: skip
        if o.warning:
            err.print(f"[yellow]warning:[/yellow] dead letter {escape(o.letter.key)}: "
                      f"{escape(o.warning)}")  # fmt: skip
    Console(width=None if sys.stdout.isatty() else 240).print(table)


@app.command()
def up(
    port: Annotated[
        int, typer.Option(help="Port for the embedded broker (a free one if busy).")
    ] = 9092,
) -> None:
    """Start the embedded broker and both workers, publish the bundled samples and print the
    enriched articles as they arrive (what `make run` runs). Ctrl-C stops everything."""
    from newsflow.logs import configure_logging  # noqa: PLC0415
    from newsflow.showcase import run_showcase  # noqa: PLC0415

    settings = load_settings()
    configure_logging(settings.log_level)
    signal.signal(signal.SIGTERM, _interrupt)
    if port_open("127.0.0.1", port):
        port = free_port()
    with EmbeddedBroker(port) as b:
        worker_cmd = worker_command("all", bootstrap=b.bootstrap)
        settings = load_settings(bootstrap_servers=b.bootstrap)
        err.print(f"embedded broker on [bold]{b.bootstrap}[/bold]; starting workers (Ctrl-C stops)")
        proc = subprocess.Popen(worker_cmd, **child_options())
        try:
            asyncio.run(run_showcase(settings, Console()))
        except KeyboardInterrupt:
            pass
        except BrokerUnavailable as exc:
            fail(str(exc))
        finally:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()


@schemas_app.command("export")
def schemas_export(
    out: Annotated[
        Path | None, typer.Option(help="Folder [default: the schemas/json package].")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if the files differ; write nothing.")
    ] = False,
) -> None:
    """Write (or check) the JSON Schema file of every message contract."""
    from newsflow.schemas.export import render_all  # noqa: PLC0415

    folder = out or Path(str(resources.files("newsflow.schemas.json")))
    stale = []
    for name, text in render_all().items():
        path = folder / f"{name}.schema.json"
        if check:
            if not path.is_file() or path.read_text("utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, "utf-8")
    if stale:
        fail(f"JSON Schema out of date: {', '.join(stale)} (run `make schemas`)")


@eval_app.command("extraction")
def eval_extraction(
    path: Annotated[
        Path, typer.Argument(help="Folder with html/<id>.html.gz and ground-truth.json.")
    ],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the scores here.")
    ] = None,
) -> None:
    """Body-text precision/recall/F1 (ScrapingHub benchmark scoring), ours vs trafilatura."""
    from newsflow.evaluation.extraction import evaluate  # noqa: PLC0415
    from newsflow.evaluation.report import print_scores  # noqa: PLC0415

    if not (path / "ground-truth.json").is_file():
        fail(f"no ground-truth.json in {path}")
    print_scores(evaluate(path), Console(), json_out=json_out, title=f"Extraction: {path}")


@eval_app.command("ner")
def eval_ner(
    path: Annotated[Path, typer.Argument(help="CoNLL-2003-format file, or a folder with dev.txt.")],
) -> None:
    """Entity precision/recall/F1 per type and overall (exact span and type), ours vs plain
    en_core_web_sm in the same run."""
    from rich.table import Table  # noqa: PLC0415

    from newsflow.evaluation.ner import TYPES, evaluate  # noqa: PLC0415

    if not (path.is_file() or (path / "dev.txt").is_file()):
        fail(f"no CoNLL file at {path}")
    table = Table(title=f"NER: {path} (exact span and type; P / R / F1)")
    table.add_column("system")
    for kind in (*TYPES, "overall"):
        table.add_column(kind, justify="right")
    table.add_column("seconds", justify="right")
    for s in evaluate(path):
        cells = [f"{p:.3f} / {r:.3f} / {f:.3f}" for p, r, f in (*s.per_type.values(), s.overall)]
        table.add_row(s.name, *cells, f"{s.seconds:.1f}")
    Console(width=None if sys.stdout.isatty() else 160).print(table)


@eval_app.command("topics")
def eval_topics(
    path: Annotated[Path, typer.Argument(help="AG News-format CSV, or a folder with dev.csv.")],
) -> None:
    """Top-level topic accuracy on AG News-format data (IPTC codes mapped to its 4 classes)."""
    from rich.table import Table  # noqa: PLC0415

    from newsflow.evaluation.topics import evaluate  # noqa: PLC0415

    if not (path.is_file() or (path / "dev.csv").is_file()):
        fail(f"no AG News CSV at {path}")
    score = evaluate(path)
    table = Table(title=f"Topics: {path} ({score.rows} rows, {score.no_topic} with no topic)")
    table.add_column("class")
    table.add_column("accuracy", justify="right")
    for name, acc in score.per_class.items():
        table.add_row(name, f"{acc:.3f}")
    table.add_row("[bold]all[/bold]", f"[bold]{score.accuracy:.3f}[/bold]")
    Console().print(table)
    if score.trained_on_ag_news_dev:
        err.print(
            f"note: the shipped topic model was trained on AG News dev rows; on those rows this "
            f"measures fit, not generalisation. Its held-out estimate (5-fold cross-validation) "
            f"is {score.cross_validated:.3f}."
        )


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
