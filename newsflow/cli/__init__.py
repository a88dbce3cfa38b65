"""The ``newsflow`` command. Every command that talks to Kafka takes ``--bootstrap``
(default: NEWSFLOW_BOOTSTRAP_SERVERS, else localhost:9092).

One module per command group, registered here in the order ``newsflow --help`` lists them:

* ``version``: version
* ``config``: config
* ``run``: broker, worker, up
* ``messages``: produce, consume
* ``process``: process
* ``deadletters``: deadletters, replay
* ``schemas``: schemas export
* ``evaluate``: eval extraction, ner, topics

``options`` holds what they share (option types, ``fail``, ``settings_for``, reading article
files), ``tables`` the one table renderer. Shell completion: ``newsflow --install-completion``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from newsflow.cli import config, deadletters, evaluate, messages, process, run, schemas, version

app = typer.Typer(
    name="newsflow",
    help="Self-hostable news ingestion: raw articles in, normalised and enriched articles out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _options(
    _version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=version.show_version,
            is_eager=True,
            help="Print newsflow's version and exit.",
        ),
    ] = False,
) -> None:
    pass


app.command()(version.version)
app.command()(config.config)
app.command()(run.broker)
app.command()(run.worker)
app.command()(messages.produce)
app.command()(messages.consume)
app.command()(process.process)
app.command()(deadletters.deadletters)
app.command()(deadletters.replay)
app.command()(run.up)
app.add_typer(schemas.app, name="schemas")
app.add_typer(evaluate.app, name="eval")


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
