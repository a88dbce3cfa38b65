"""The faust app for one service (ingest or enrich): broker, group, topics. No logic here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import faust
from faust.tables import TableManager
from faust.web.drivers.aiohttp import Web as AiohttpWeb

from newsflow.flow import ByteWindow
from newsflow.kafka import ssl_context
from newsflow.schemas import Stage
from newsflow.settings import Settings
from newsflow.transport import transport_for

#: Messages a stage may hold fetched but not handled; bytes are bounded by the ByteWindow.
STREAM_BUFFER = 1024


@dataclass(frozen=True, slots=True)
class AppTopics:
    raw: Any
    normalized: Any
    enriched: Any
    deadletter: Any

    def by_destination(self, destination: str) -> Any:
        return getattr(self, destination)


def _credentials(settings: Settings) -> Any:
    sec = settings.security
    if sec.protocol.startswith("SASL"):
        return faust.SASLCredentials(
            username=sec.sasl_username,
            password=sec.sasl_password.get_secret_value() if sec.sasl_password else None,
            mechanism=sec.sasl_mechanism,
            ssl_context=ssl_context(settings),
        )
    if sec.protocol == "SSL":
        return faust.SSLCredentials(ssl_context(settings))
    return None


class OwnPagesOnly(AiohttpWeb):
    """faust's web server with none of faust's own pages (``/``, ``/router``, ``/table``...):
    only newsflow's /healthz, /readyz and /metrics (newsflow/health.py)."""

    default_blueprints = production_blueprints = debug_blueprints = optional_blueprints = ()


class NoTablesNoWait(TableManager):
    """faust's table manager, without its one-second sleep at start when there are no tables.
    faust sleeps to let tables be defined before it subscribes the consumer; tables are defined
    when the app is built, and newsflow defines none. The sleep delayed the group join by 1 s."""

    async def on_start(self) -> None:
        if self:  # tables after all: faust's own start, sleep included
            await super().on_start()
            return
        await self._update_channels()
        await self.recovery.start()


def create_app(
    settings: Settings,
    service: Stage,
    *,
    web_port: int | None = None,
    loop: Any = None,
    window: ByteWindow | None = None,
) -> faust.App:
    """One consumer group per service (``<app_id>-ingest``, ``<app_id>-enrich``), so each is
    scaled on its own and the two never share an assignment."""
    brokers = [
        f"kafka://{hp.strip()}" for hp in settings.bootstrap_servers.split(",") if hp.strip()
    ]
    transport = transport_for(settings.fetch_max_wait, settings.fetch_max_bytes, window)

    class App(faust.App):
        def _new_transport(self) -> Any:
            return transport(self.conf.broker_consumer, self)

        def _new_web(self) -> Any:
            return OwnPagesOnly(self)

    return App(
        f"{settings.app_id}-{service}",
        broker=brokers,
        broker_credentials=_credentials(settings),
        key_serializer="raw",
        value_serializer="raw",
        processing_guarantee=settings.processing_guarantee,
        consumer_auto_offset_reset="earliest",
        broker_session_timeout=settings.session_timeout,
        broker_heartbeat_interval=settings.heartbeat_interval,
        broker_rebalance_timeout=settings.rebalance_timeout,
        broker_commit_interval=settings.commit_interval,
        producer_acks=-1,
        producer_max_batch_size=settings.producer_batch_bytes,
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        topic_disable_leader=True,  # no tables, no leader election topic needed
        TableManager=NoTablesNoWait,
        web_enabled=True,  # /healthz, /readyz, /metrics (newsflow/health.py)
        web_router_enabled=False,  # faust's own pages: worker URLs, tables, stats, graph
        web_tables_enabled=False,
        web_stats_enabled=False,
        web_graph_enabled=False,
        web_metrics_enabled=False,
        web_bind=settings.web_host,
        web_port=web_port or settings.web_port,
        producer_request_timeout=settings.producer_request_timeout,
        # Every record newsflow sends is checked against max_message_bytes first (an output
        # over it becomes a dead letter that fits), so the client never refuses one for size.
        producer_max_request_size=settings.limits.max_message_bytes,
        consumer_max_fetch_size=settings.limits.max_message_bytes,
        # Memory of a backlog is bounded in bytes by the window (newsflow/flow.py): buffer_bytes
        # held, plus one poll, which returns what the client has fetched (README, Guarantees).
        # The count bound stays generous, so small messages never pause fetching.
        stream_buffer_maxsize=STREAM_BUFFER,
        datadir=str(settings.data_dir / service),
        loop=loop,
    )


def app_topics(app: faust.App, settings: Settings) -> AppTopics:
    def topic(name: str) -> Any:
        return app.topic(name, key_type=bytes, value_type=bytes, key_serializer="raw",
                         value_serializer="raw")  # fmt: skip

    t = settings.topics
    return AppTopics(topic(t.raw), topic(t.normalized), topic(t.enriched), topic(t.deadletter))
