"""Dead letters: ``deadletters`` (summary or JSON lines) and ``replay``."""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from newsflow.cli.options import (
    Bootstrap,
    Idle,
    client_settings,
    err,
    fail,
    kafka_failed,
    parse_at,
)
from newsflow.cli.tables import Column, Row, print_table
from newsflow.kafka import BrokerUnavailable

if TYPE_CHECKING:
    from newsflow.deadletters import Outcome, Selector

STAGES = ("ingest", "enrich")


def error_codes() -> list[str]:
    """Every error code a dead letter may carry: the ``code`` of each kind of poison."""
    from newsflow.services.errors import PoisonError  # noqa: PLC0415

    codes, kinds = set(), [PoisonError]
    while kinds:
        kind = kinds.pop()
        codes.add(kind.code)
        kinds += kind.__subclasses__()
    return sorted(codes)


def deadletters(
    bootstrap: Bootstrap = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print each dead letter as a JSON line.")
    ] = False,
    idle: Idle = 3.0,
    timeout: Annotated[float, typer.Option(help="Stop after S seconds in all.")] = 300.0,
) -> None:
    """Summarise the dead-letter topic by stage and error code (or list it with --json)."""
    from newsflow.deadletters import read_dead_letters, summarise  # noqa: PLC0415

    settings = client_settings(bootstrap)
    try:
        stored = asyncio.run(read_dead_letters(settings, idle=idle, timeout=timeout))
    except BrokerUnavailable as exc:
        kafka_failed(exc)
    letters = [x.dead_letter for x in stored]
    if as_json:
        for dl in letters:
            sys.stdout.write(dl.model_dump_json() + "\n")
        return
    rows = []
    for g in summarise(letters):
        first = g.first.isoformat(timespec="seconds") if g.first else "-"
        last = g.last.isoformat(timespec="seconds") if g.last else "-"
        rows.append((g.stage, g.error_code, str(g.count), first, last, g.example[:80]))
    columns = [Column("stage", no_wrap=True), Column("error code", no_wrap=True),
               Column("count", justify="right", no_wrap=True), Column("first", no_wrap=True),
               Column("last", no_wrap=True), Column("example reason")]  # fmt: skip
    print_table(f"{len(letters)} dead letter(s) on {settings.topics.deadletter}", columns, rows,
                pipe_width=200)  # fmt: skip


def replay(
    *,  # typer passes options by name
    bootstrap: Bootstrap = None,
    code: Annotated[
        list[str] | None,
        typer.Option(help="Error code to replay (repeatable), as `deadletters` lists them."),
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
    if unknown := sorted(set(code or ()) - set(error_codes())):
        fail(f"unknown error code {', '.join(unknown)}; --code takes one of: "
             f"{', '.join(error_codes())}", 2)  # fmt: skip
    coordinates = set()
    for item in at or []:
        if (parsed := parse_at(item)) is None:
            fail(f"--at takes TOPIC:PARTITION:OFFSET, not {item!r}", 2)
        coordinates.add(parsed)
    select = Selector(frozenset(code or ()), frozenset(stage or ()), frozenset(coordinates))
    settings = client_settings(bootstrap)
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
        kafka_failed(exc)
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
    rows = []
    for o in outcomes:
        dl = o.letter.dead_letter
        source = f"{dl.source_topic}:{dl.source_partition}:{dl.source_offset}"
        detail = "; ".join(x for x in (o.detail, o.warning) if x)
        rows.append(Row((o.status, o.letter.key, dl.stage, dl.error_code, source, o.to, detail),
                        style="" if o.ok else "red"))  # fmt: skip
        if o.warning:
            err.print(f"[yellow]warning:[/yellow] dead letter {escape(o.letter.key)}: "
                      f"{escape(o.warning)}")  # fmt: skip
    columns = [Column(c, no_wrap=True) for c in
               ("status", "dead letter", "stage", "error code", "failed input", "to")]  # fmt: skip
    print_table(f"{len(outcomes)} dead letter(s) selected", [*columns, Column("detail")], rows,
                pipe_width=240)  # fmt: skip
