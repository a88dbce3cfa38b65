"""Shared fixtures. Integration tests use the embedded broker (Tansu) started once per session,
or the Kafka named by NEWSFLOW_TEST_BOOTSTRAP when it is set."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsflow.broker import EmbeddedBroker

SAMPLES = Path(__file__).resolve().parents[1] / "newsflow" / "samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def bootstrap() -> Iterator[str]:
    external = os.environ.get("NEWSFLOW_TEST_BOOTSTRAP")
    if external:
        yield external
        return
    with EmbeddedBroker() as broker:
        yield broker.bootstrap


@pytest.fixture
def samples() -> Path:
    return SAMPLES


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
