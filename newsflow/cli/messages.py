"""Messages in and out of a topic: ``produce`` and ``consume``."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from typing import Annotated

import typer

from newsflow.cli.options import Bootstrap, Files, err, fail, settings_for
from newsflow.kafka import BrokerUnavailable


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
    name = settings.topics.resolve(topic)
    try:
        payloads = [i.payload for i in read_inputs(files, source=source)]
        n = asyncio.run(send(settings, name, payloads))
    except (FileNotFoundError, BrokerUnavailable) as exc:
        fail(str(exc))
    err.print(f"published {n} article(s) to {name}")


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
