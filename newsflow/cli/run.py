"""Running newsflow: ``broker``, ``worker`` and ``up`` (broker, workers and the showcase)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from newsflow.broker import EmbeddedBroker, free_port, port_open
from newsflow.cli.options import (
    Bootstrap,
    ServiceChoice,
    check_port,
    env_help,
    err,
    fail,
    kafka_failed,
    settings_for,
    web_port_problem,
)
from newsflow.kafka import BrokerUnavailable, TransactionsUnsupported
from newsflow.procs import child_options, worker_command
from newsflow.settings import Settings


def broker(
    port: Annotated[
        int, typer.Option(help="Port to listen on (loopback only; 0: any free port).")
    ] = 9092,
) -> None:
    """Run the embedded Kafka-protocol broker (Tansu, memory storage) until Ctrl-C."""
    check_port(port, any_free=True)
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


def worker(
    bootstrap: Bootstrap = None,
    service: Annotated[ServiceChoice, typer.Option(help="Which stage to run.")] = ServiceChoice.all,
    web_port: Annotated[
        int | None,
        typer.Option(
            help=env_help("Port of /healthz, /readyz and /metrics (the enrich processes take "
                          "the next ones under --service all).", "NEWSFLOW_WEB_PORT", 6066)
        ),
    ] = None,
) -> None:  # fmt: skip
    """Run the ingest and/or enrich workers until SIGTERM or Ctrl-C."""
    if web_port is not None:
        check_port(web_port, "--web-port")
    settings = settings_for(bootstrap)
    base = web_port or settings.web_port
    if service is ServiceChoice.all:
        from newsflow.supervisor import run_all, supervised  # noqa: PLC0415  # only this command

        argv = supervised(settings, base)
        _check_web_ports(settings, list(range(base, base + len(argv))))
        raise typer.Exit(run_all(settings, argv))
    _check_web_ports(settings, [base])
    from newsflow.worker import run_worker  # noqa: PLC0415  # faust: only a worker imports it

    try:
        run_worker(settings, service.value, web_port=web_port)  # type: ignore[arg-type]  # ingest|enrich
    except BrokerUnavailable as exc:
        kafka_failed(exc)
    except TransactionsUnsupported as exc:
        fail(str(exc))


def _check_web_ports(settings: Settings, ports: list[int], *, option: bool = True) -> None:
    """Exit 1 with the reason when a worker's web server could not listen (faust would stop
    with a traceback, after connecting to Kafka)."""
    for port in ports:
        if problem := web_port_problem(settings.web_host, port, option=option):
            fail(problem)


def up(
    port: Annotated[
        int, typer.Option(help="Port for the embedded broker (a free one if busy).")
    ] = 9092,
) -> None:
    """Start the embedded broker and both workers, publish the bundled samples and print the
    enriched articles as they arrive (what `make run` runs). Ctrl-C stops everything."""
    from newsflow.logs import configure_logging  # noqa: PLC0415
    from newsflow.showcase import run_showcase  # noqa: PLC0415

    check_port(port, any_free=True)
    settings = settings_for()
    _check_web_ports(settings, [settings.web_port, settings.web_port + 1], option=False)
    # the panels on stdout; the workers' and this process's JSON logs in a file of their own
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    log_path = (settings.data_dir / "newsflow-up.log").resolve()
    with log_path.open("a", buffering=1) as log_file:
        configure_logging(settings.log_level, stream=log_file)
        signal.signal(signal.SIGTERM, _interrupt)
        if port_open("127.0.0.1", port):
            port = free_port()
        try:
            b = EmbeddedBroker(port).start()
        except RuntimeError as exc:
            fail(str(exc))
        try:
            _showcase(b.bootstrap, log_file, log_path, run_showcase)
        finally:
            b.stop()


def _showcase(bootstrap: str, log_file: Any, log_path: Path, run_showcase: Any) -> None:
    """Both workers (their output in ``log_file``) and the showcase, until Ctrl-C."""
    worker_cmd = worker_command("all", bootstrap=bootstrap)
    settings = settings_for(bootstrap)
    err.print(f"embedded broker on [bold]{bootstrap}[/bold]; starting workers (Ctrl-C "
              f"stops); their logs: {log_path}", soft_wrap=True)  # fmt: skip
    proc = subprocess.Popen(worker_cmd, stdout=log_file, stderr=subprocess.STDOUT,
                            **child_options())  # fmt: skip
    hint = (
        "\n[bold]Try next[/bold] (the broker and workers keep running; Ctrl-C stops them):\n"
        f"  newsflow produce -b {bootstrap} YOUR_ARTICLE.txt     publish your own\n"
        f"  newsflow consume -b {bootstrap} --topic enriched --format pretty\n"
        f"  newsflow deadletters -b {bootstrap}\n"
        "  newsflow process FILE                                    offline, no broker\n"
        f"  logs: {log_path}"
    )
    try:
        asyncio.run(run_showcase(settings, Console(), hint))
    except KeyboardInterrupt:
        pass
    except BrokerUnavailable as exc:
        kafka_failed(exc)
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
