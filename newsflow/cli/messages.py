"""Messages in and out of a topic: ``produce`` and ``consume``."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import orjson
import typer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from newsflow.cli.options import (
    Bootstrap,
    Files,
    client_settings,
    err,
    fail,
    kafka_failed,
    read_articles,
)
from newsflow.kafka import (
    BrokerUnavailable,
    client_options,
    connect,
    ensure_topics,
    topic_configs,
)

if TYPE_CHECKING:
    from aiokafka import ConsumerRecord

    from newsflow.settings import Settings

#: Topics listed in the error for a topic that does not exist.
SHOWN_TOPICS = 12


def produce(
    files: Files,
    bootstrap: Bootstrap = None,
    source: Annotated[
        str, typer.Option(help="Feed name for files that are not envelopes.")
    ] = "cli",
    topic: Annotated[str, typer.Option(help="Topic (short name or full).")] = "raw",
    create: Annotated[
        bool,
        typer.Option(
            "--create",
            help="Create the topic if it does not exist (newsflow's own topics are created "
            "anyway unless NEWSFLOW_CREATE_TOPICS=false).",
        ),
    ] = False,
) -> None:
    """Publish articles to the raw topic (or --topic).

    A topic that does not exist is refused unless --create (newsflow's own topics are created
    as the workers create them). Files that are not articles by their suffix are skipped."""
    from newsflow.client import produce as send  # noqa: PLC0415

    settings = client_settings(bootstrap)
    name = settings.topics.resolve(topic)
    payloads = [i.payload for i in read_articles(files, source=source)]

    async def run() -> int:
        if problem := await ready_topic(settings, name, create=create):
            fail(problem)
        return await send(settings, name, payloads)

    try:
        n = asyncio.run(run())
    except BrokerUnavailable as exc:
        kafka_failed(exc)
    err.print(f"published {n} article(s) to {name}")


async def ready_topic(settings: Settings, name: str, *, create: bool) -> str | None:
    """None when ``name`` exists, or was just created: with ``create``, or as one of newsflow's
    own topics (as a worker would at start, unless NEWSFLOW_CREATE_TOPICS=false). Else why not.
    Brokers that create topics on first use would take any typo as a new topic."""
    from newsflow.client import CONNECT_TIMEOUT  # noqa: PLC0415

    admin = AIOKafkaAdminClient(**client_options(settings))
    await connect(admin, settings, timeout=CONNECT_TIMEOUT, close=admin.close)
    try:
        existing = set(await admin.list_topics())
        if name in existing:
            return None
        if name in settings.topics.all() and settings.create_topics:
            pass  # below, with the configuration the workers give it
        elif not create:
            shown = sorted(t for t in existing if not t.startswith("__"))
            listed = ", ".join(shown[:SHOWN_TOPICS]) + (", ..." if len(shown) > SHOWN_TOPICS
                                                         else "")  # fmt: skip
            return (f"no topic {name!r} on {settings.bootstrap_servers} (there: "
                    f"{listed or 'none'}); --create creates it")  # fmt: skip
        else:
            topic = NewTopic(name, settings.partitions, settings.replication_factor,
                             topic_configs=topic_configs(settings))  # fmt: skip
            try:
                await admin.create_topics([topic])
            except TopicAlreadyExistsError:
                pass  # someone else made it meanwhile
            except KafkaError as exc:
                return f"cannot create topic {name!r}: {exc}"
            err.print(f"created topic {name} ({settings.partitions} partition(s))")
            return None
    finally:
        await admin.close()
    await ensure_topics(settings)
    return None


class Format(StrEnum):
    json = "json"
    pretty = "pretty"


def consume(
    *,  # typer passes options by name
    bootstrap: Bootstrap = None,
    topic: Annotated[
        str, typer.Option(help="raw, normalized, enriched, deadletter or a topic name.")
    ] = "enriched",
    from_beginning: Annotated[
        bool, typer.Option("--from-beginning", help="Start at the oldest message.")
    ] = False,
    max_messages: Annotated[
        int | None, typer.Option("--max", help="Stop after N messages (N >= 1).")
    ] = None,
    timeout: Annotated[float | None, typer.Option(help="Stop after S seconds.")] = None,
    output: Annotated[
        Format,
        typer.Option(
            "--format",
            help="json: each message as it is, one per line; pretty: JSON indented, a blank line "
            "between messages.",
        ),
    ] = Format.json,
    print_key: Annotated[
        bool,
        typer.Option(
            "--print-key",
            help="Also show each message's key, partition and offset: in json, each line is "
            '{"topic", "partition", "offset", "key", "value"}; in pretty, a "# key=... '
            'partition=... offset=..." line comes first.',
        ),
    ] = False,
) -> None:
    """Print a topic's messages on stdout, as JSON lines or --format pretty.

    With --max, exits 1 if fewer arrived in time."""
    from newsflow.client import consume_records  # noqa: PLC0415

    if max_messages is not None and max_messages < 1:
        fail(f"--max takes a number of messages >= 1, not {max_messages} (leave it out to read "
             "until --timeout or Ctrl-C)", 2)  # fmt: skip
    if timeout is not None and timeout <= 0:
        fail(f"--timeout takes seconds > 0, not {timeout:g}", 2)
    settings = client_settings(bootstrap)
    name = settings.topics.resolve(topic)

    async def run() -> int:
        n = 0
        records = consume_records(settings, name, from_beginning=from_beginning, timeout=timeout)
        async with contextlib.aclosing(records):
            async for record in records:
                if record.value is None and not print_key:
                    continue  # a tombstone has nothing to print
                sys.stdout.write(render(record, output, print_key=print_key) + "\n")
                sys.stdout.flush()
                n += 1
                if max_messages is not None and n >= max_messages:
                    break
        return n

    try:
        n = asyncio.run(run())
    except BrokerUnavailable as exc:
        kafka_failed(exc)
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    if max_messages is not None and n < max_messages:
        fail(f"timed out after {timeout}s with {n} of {max_messages} message(s) from {name}")


def _text(data: bytes | None) -> str | None:
    return None if data is None else data.decode("utf-8", "replace")


def render(record: ConsumerRecord[bytes, bytes], output: Format, *, print_key: bool) -> str:
    """One message as ``consume`` prints it (without the final newline)."""
    text = _text(record.value)
    value: object = text
    parsed = record.value is None  # a tombstone is null
    if record.value is not None:
        with contextlib.suppress(orjson.JSONDecodeError):
            value, parsed = orjson.loads(record.value), True
    if output is Format.json:
        if not print_key:
            return (text or "").rstrip("\n")  # the message as it is
        line = {"topic": record.topic, "partition": record.partition, "offset": record.offset,
                "key": _text(record.key), "value": value}  # fmt: skip
        return orjson.dumps(line).decode()
    body = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode() if parsed else str(text)
    if print_key:
        body = (f"# key={orjson.dumps(_text(record.key)).decode()} partition={record.partition} "
                f"offset={record.offset}\n{body}")  # fmt: skip
    return f"{body}\n"  # a blank line between messages
