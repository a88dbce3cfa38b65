"""Options shared by every Kafka client newsflow makes (faust app, aiokafka producer,
consumer and admin), built from the one settings object."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaConnectionError, KafkaError, TopicAlreadyExistsError
from aiokafka.helpers import create_ssl_context

from newsflow.settings import Settings

log = structlog.get_logger(__name__)


class BrokerUnavailable(RuntimeError):
    """The bootstrap servers could not be reached."""


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    sec = settings.security
    if not sec.protocol.endswith("SSL"):
        return None
    context: ssl.SSLContext = create_ssl_context(
        cafile=str(sec.ssl_cafile) if sec.ssl_cafile else None,
        certfile=str(sec.ssl_certfile) if sec.ssl_certfile else None,
        keyfile=str(sec.ssl_keyfile) if sec.ssl_keyfile else None,
        password=sec.ssl_key_password.get_secret_value() if sec.ssl_key_password else None,
    )
    return context


def client_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for aiokafka's producer, consumer and admin client."""
    sec = settings.security
    opts: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "security_protocol": sec.protocol,
        "ssl_context": ssl_context(settings),
    }
    if sec.protocol.startswith("SASL"):
        opts["sasl_mechanism"] = sec.sasl_mechanism
        opts["sasl_plain_username"] = sec.sasl_username
        opts["sasl_plain_password"] = (
            sec.sasl_password.get_secret_value() if sec.sasl_password else None
        )
    return opts


async def connect(
    client: Any, settings: Settings, *, timeout: float, close: Callable[[], Awaitable[Any]]
) -> None:
    """Start an aiokafka client, or close it and raise BrokerUnavailable with the reason."""
    try:
        await asyncio.wait_for(client.start(), timeout)
    except (KafkaConnectionError, TimeoutError, OSError) as exc:
        await close()
        raise BrokerUnavailable(
            f"cannot reach Kafka at {settings.bootstrap_servers}: {exc or type(exc).__name__}"
        ) from exc


def topic_configs(settings: Settings) -> dict[str, str]:
    """Configuration of the topics newsflow creates: records as large as it may write."""
    return {"max.message.bytes": str(settings.limits.max_message_bytes)}


async def ensure_topics(settings: Settings, *, timeout: float = 30.0) -> list[str]:
    """Create newsflow's topics if they are missing (with ``topic_configs``); returns the ones
    created. Topics that exist with a smaller ``max.message.bytes`` are named in a warning:
    outputs between the two limits will be refused by the broker and dead-lettered."""
    admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=int(timeout * 1000))
    await connect(admin, settings, timeout=timeout, close=admin.close)
    try:
        existing = set(await admin.list_topics())
        wanted = [t for t in settings.topics.all() if t not in existing]
        await _check_record_limits(admin, settings, [t for t in _record_topics(settings)
                                                     if t in existing])  # fmt: skip
        created = []
        for name in wanted:
            configs = topic_configs(settings)
            if name == settings.topics.replayed:  # the replay log: the latest record per letter
                configs["cleanup.policy"] = "compact"
            topic = NewTopic(name, settings.partitions, settings.replication_factor,
                             topic_configs=configs)  # fmt: skip
            try:
                await admin.create_topics([topic])
                created.append(name)
            except TopicAlreadyExistsError:
                pass  # another worker won the race
            except KafkaError as exc:
                log.warning("topic_create_failed", topic=name, error=str(exc))
        if created:
            log.info("topics_created", topics=created, partitions=settings.partitions)
        return created
    finally:
        await admin.close()


def _record_topics(settings: Settings) -> list[str]:
    """The topics that carry articles and dead letters (not the replay log's small records)."""
    return [t for t in settings.topics.all() if t != settings.topics.replayed]


async def check_record_limits(settings: Settings, *, timeout: float = 30.0) -> None:
    """Where topics are managed elsewhere (NEWSFLOW_CREATE_TOPICS=false): warn about any whose
    ``max.message.bytes`` is below newsflow's limit."""
    admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=int(timeout * 1000))
    await connect(admin, settings, timeout=timeout, close=admin.close)
    try:
        await _check_record_limits(admin, settings, _record_topics(settings))
    finally:
        await admin.close()


async def _check_record_limits(admin: Any, settings: Settings, topics: list[str]) -> None:
    if not topics:
        return
    resources = [ConfigResource(ConfigResourceType.TOPIC, name) for name in topics]
    try:
        responses = await admin.describe_configs(resources)
    except (KafkaError, TimeoutError, OSError) as exc:  # e.g. no DescribeConfigs permission
        log.info("topic_configs_unreadable", error=repr(exc))
        return
    wanted = settings.limits.max_message_bytes
    for response in responses:
        for resource in response.resources:
            _code, _msg, _type, name, entries = resource[:5]
            for entry in entries:
                if entry[0] == "max.message.bytes" and entry[1] and int(entry[1]) < wanted:
                    log.warning("topic_record_limit_smaller", topic=name,
                                max_message_bytes=int(entry[1]), newsflow_limit=wanted)  # fmt: skip


class TransactionsUnsupported(RuntimeError):
    """exactly_once was asked for, and the broker refused transactions."""


async def check_transactions(settings: Settings, *, timeout: float = 20.0) -> None:
    """Open and commit one empty transaction; raise TransactionsUnsupported if the broker can't."""
    from aiokafka import AIOKafkaProducer  # noqa: PLC0415  # only needed for exactly_once

    producer = AIOKafkaProducer(
        **client_options(settings), transactional_id=f"{settings.app_id}-transactions-check"
    )
    try:
        await asyncio.wait_for(producer.start(), timeout)
        async with producer.transaction():
            pass
    except (KafkaError, TimeoutError) as exc:
        raise TransactionsUnsupported(
            f"NEWSFLOW_PROCESSING_GUARANTEE=exactly_once needs Kafka transactions, and the broker "
            f"at {settings.bootstrap_servers} refused them ({type(exc).__name__}: {exc}). Use a "
            "Kafka cluster with transactions, or at_least_once (the embedded broker has none)."
        ) from exc
    finally:
        await producer.stop()
