"""The topics newsflow creates take the largest record it writes; topics made elsewhere with a
smaller limit are named at start (real broker: the embedded one keeps and reports topic
configuration, though it does not enforce the limit)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from newsflow.kafka import check_record_limits, client_options, ensure_topics
from tests.integration.conftest import make_pipeline

pytestmark = pytest.mark.integration


async def _limits(settings, names: list[str]) -> dict[str, int]:  # type: ignore[no-untyped-def]  # pytest injects the fixture
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        resources = [ConfigResource(ConfigResourceType.TOPIC, n) for n in names]
        (response,) = await admin.describe_configs(resources)
        return {
            r[3]: int(e[1]) for r in response.resources for e in r[4] if e[0] == "max.message.bytes"
        }
    finally:
        await admin.close()


def test_created_topics_take_the_record_limit(bootstrap: str, tmp_path: Path) -> None:
    settings = make_pipeline(bootstrap, tmp_path).settings
    created = asyncio.run(ensure_topics(settings))
    assert set(created) == set(settings.topics.all())
    limits = asyncio.run(_limits(settings, created))
    assert set(limits.values()) == {settings.limits.max_message_bytes}


def test_a_topic_with_a_smaller_limit_is_named_at_start(bootstrap: str, tmp_path: Path) -> None:
    settings = make_pipeline(bootstrap, tmp_path).settings

    async def make_small() -> None:
        admin = AIOKafkaAdminClient(**client_options(settings))
        await admin.start()
        try:
            small = {"max.message.bytes": "1048588"}  # Apache Kafka's default
            await admin.create_topics(
                [NewTopic(settings.topics.enriched, 1, 1, topic_configs=small)]
            )
        finally:
            await admin.close()

    asyncio.run(make_small())
    with structlog.testing.capture_logs() as logs:
        asyncio.run(check_record_limits(settings))
    (warning,) = [e for e in logs if e["event"] == "topic_record_limit_smaller"]
    assert warning["topic"] == settings.topics.enriched
    assert (warning["max_message_bytes"], warning["newsflow_limit"]) == (1_048_588, 4_000_000)
