"""What ``newsflow up`` shows: the bundled samples published, then every enriched article
printed as it arrives (and every dead letter noted), until Ctrl-C."""

from __future__ import annotations

import asyncio
from importlib import resources
from pathlib import Path

import structlog
from pydantic import ValidationError
from rich.console import Console

from newsflow.client import consume, produce
from newsflow.console import show
from newsflow.inputs import read_inputs
from newsflow.kafka import ensure_topics
from newsflow.schemas import DeadLetter, EnrichedArticle
from newsflow.settings import Settings

log = structlog.get_logger(__name__)


def sample_files() -> list[Path]:
    folder = resources.files("newsflow.samples")
    return sorted(
        Path(str(p)) for p in folder.iterdir() if p.name.endswith((".txt", ".html", ".jsonl"))
    )


class _Arrivals:
    """Counts what came out; once all ``expected`` did, says what to try next (once)."""

    def __init__(self, expected: int, console: Console, hint: str) -> None:
        self.left, self.console, self.hint = expected, console, hint

    def one(self) -> None:
        self.left -= 1
        if self.left == 0 and self.hint:
            self.console.print(self.hint)


async def _print_enriched(settings: Settings, console: Console, seen: _Arrivals) -> None:
    async for value in consume(
        settings, settings.topics.enriched, from_beginning=True, timeout=None
    ):
        try:
            show(console, EnrichedArticle.model_validate_json(value))
        except ValidationError as exc:
            log.warning("unreadable_enriched_message", error=str(exc))
        seen.one()


async def _note_dead_letters(settings: Settings, console: Console, seen: _Arrivals) -> None:
    async for value in consume(
        settings, settings.topics.deadletter, from_beginning=True, timeout=None
    ):
        dl = DeadLetter.model_validate_json(value)
        console.print(f"[yellow]dead letter[/yellow] ({dl.stage}, {dl.error_code}): {dl.reason}")
        seen.one()


async def run_showcase(settings: Settings, console: Console, hint: str = "") -> None:
    """Publish the bundled samples and print each as it arrives enriched (or dead-lettered);
    ``hint`` once all have arrived."""
    await ensure_topics(settings)
    inputs = list(read_inputs(sample_files(), source="newsflow-samples"))
    n = await produce(settings, settings.topics.raw, [i.payload for i in inputs])
    console.print(
        f"published {n} sample article(s) to {settings.topics.raw}; waiting for them downstream…"
    )
    seen = _Arrivals(n, console, hint)
    await asyncio.gather(_print_enriched(settings, console, seen),
                         _note_dead_letters(settings, console, seen))  # fmt: skip
