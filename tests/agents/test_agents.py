"""The agents in faust's test context: wiring only, so we check what they send where."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any

import pytest
import structlog

from newsflow.agent import register_stage
from newsflow.app import app_topics, create_app
from newsflow.bootstrap import handler
from newsflow.publish import at_once
from newsflow.schemas import DeadLetter, EnrichedArticle, NormalizedArticle
from newsflow.services.ingest import handler as ingest_module
from newsflow.services.ingest.normalise import normalise_payload
from newsflow.services.routing import Routed
from newsflow.settings import Settings


class Recorder:
    def __init__(self) -> None:
        self.sent: list[Routed] = []

    async def __call__(self, batch: list[Routed]) -> Awaitable[list[BaseException | None]]:
        self.sent.extend(batch)
        return at_once([None] * len(batch))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path)


def _app(settings: Settings, service: str) -> Any:
    # faust would otherwise make (and never close) an event loop of its own
    app = create_app(settings, service, loop=asyncio.get_running_loop())  # type: ignore[arg-type]  # test data: a literal where the model converts it
    app.finalize()
    app.conf.store = "memory://"
    app.flow_control.resume()
    return app


def _close_consumer_thread_loop(app: Any) -> None:
    """faust's consumer thread makes an event loop of its own that test_context never starts
    or closes; close it so the test leaves no open sockets behind."""
    thread = getattr(app._consumer, "_thread", None)
    loop = getattr(thread, "thread_loop", None)
    if loop is not None and not loop.is_running() and not loop.is_closed():
        loop.close()


@pytest.fixture
async def ingest(settings: Settings) -> AsyncIterator[tuple[Any, Recorder]]:
    app = _app(settings, "ingest")
    rec = Recorder()
    source = app_topics(app, settings).raw
    yield (
        register_stage(app, source, "ingest", handler(settings, "ingest"), settings, send=rec),
        rec,
    )
    _close_consumer_thread_loop(app)


async def test_ingest_publishes_normalized_keyed_by_article_id(ingest, samples: Path) -> None:  # type: ignore[no-untyped-def]  # pytest injects the fixture
    agent, rec = ingest
    async with agent.test_context() as ctx:
        await ctx.put((samples / "rotterdam-dock-strike.txt").read_bytes())
        await ctx.put(b"")
    good, bad = rec.sent
    assert good.destination == "normalized"
    article = NormalizedArticle.model_validate_json(good.value)
    assert good.key == article.article_id.encode()
    assert bad.destination == "deadletter"
    assert DeadLetter.model_validate_json(bad.value).error_code == "empty_input"


async def test_enrich_publishes_enriched_or_dead_letter(settings: Settings, samples: Path) -> None:
    app = _app(settings, "enrich")
    rec = Recorder()
    source = app_topics(app, settings).normalized
    agent = register_stage(app, source, "enrich", handler(settings, "enrich"), settings, send=rec)
    normalized = normalise_payload((samples / "rotterdam-dock-strike.txt").read_bytes())
    async with agent.test_context() as ctx:
        await ctx.put(normalized.model_dump_json().encode())
        await ctx.put(b'{"not": "an article"}')
    ok, bad = rec.sent
    assert ok.destination == "enriched"
    assert EnrichedArticle.model_validate_json(ok.value).entities
    assert ok.key == normalized.article_id.encode()
    dl = DeadLetter.model_validate_json(bad.value)
    assert (dl.stage, dl.error_code) == ("enrich", "invalid_article")
    _close_consumer_thread_loop(app)


async def test_each_message_logs_its_coordinates(ingest, samples: Path) -> None:  # type: ignore[no-untyped-def]  # pytest injects the fixture
    agent, _ = ingest
    with structlog.testing.capture_logs(
        processors=[structlog.contextvars.merge_contextvars]
    ) as logs:
        async with agent.test_context() as ctx:
            await ctx.put((samples / "rotterdam-dock-strike.txt").read_bytes())
            await ctx.put(b"\x00")
    published, dead = [e for e in logs if e["event"] in {"published", "dead_lettered"}]
    for entry in (published, dead):
        assert entry["stage"] == "ingest"
        assert {"topic", "partition", "offset"} <= entry.keys()
    assert len(published["article_id"]) == 32
    assert dead["error_code"] == "binary_content"


async def test_a_bug_costs_one_message_not_the_agent(
    ingest, samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]  # pytest injects the fixture
    agent, rec = ingest
    real = ingest_module.handle_raw

    def flaky(value: bytes, *args: Any, **kwargs: Any) -> Any:
        if value == b"trigger":
            raise KeyError("injected bug")
        return real(value, *args, **kwargs)

    monkeypatch.setattr(ingest_module, "handle_raw", flaky)
    async with agent.test_context() as ctx:
        await ctx.put(b"trigger")
        await ctx.put((samples / "rotterdam-dock-strike.txt").read_bytes())
    bad, good = rec.sent
    dl = DeadLetter.model_validate_json(bad.value)
    assert (dl.error_code, dl.original) == ("internal_error", b"trigger")
    assert "KeyError" in dl.reason
    assert good.destination == "normalized"
