"""Running newsflow: ``broker``, ``worker`` and ``up`` (broker, workers and the showcase)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
from typing import Annotated

import typer
from rich.console import Console

from newsflow.broker import EmbeddedBroker, free_port, port_open
from newsflow.cli.options import Bootstrap, ServiceChoice, err, fail, settings_for
from newsflow.kafka import BrokerUnavailable, TransactionsUnsupported
from newsflow.procs import child_options, worker_command
from newsflow.settings import load_settings


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
