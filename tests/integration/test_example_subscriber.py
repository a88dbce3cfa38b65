"""examples/consume.py, the twenty-line subscriber the README points to, reads enriched
articles from a real broker and prints them."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from newsflow.services.enrich.enrich import Enricher
from newsflow.services.ingest.normalise import normalise_payload

pytestmark = pytest.mark.integration
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "consume.py"


async def _publish(bootstrap: str, topic: str, value: bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value)
    finally:
        await producer.stop()


def test_the_example_subscriber_prints_an_enriched_article(bootstrap: str) -> None:
    article = Enricher().enrich(normalise_payload(
        b"Merkel meets Macron in Paris\n\nGerman Chancellor Angela Merkel met French President "
        b"Emmanuel Macron in Paris on Monday to discuss the European Union budget."
    ))  # fmt: skip
    topic = f"example-{uuid.uuid4().hex[:6]}"
    asyncio.run(_publish(bootstrap, topic, article.model_dump_json().encode()))
    done = subprocess.run([sys.executable, str(EXAMPLE), bootstrap, topic, "1"],
                          capture_output=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    line = done.stdout.decode().strip()
    assert line.startswith("Merkel meets Macron in Paris | ")
    assert "Angela Merkel" in line
