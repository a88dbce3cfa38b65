"""Liveness, readiness and metrics over HTTP (faust's web server): /healthz, /readyz, /metrics.

Readiness means: the broker answered a metadata request within the probe timeout, the last
send succeeded, partitions are assigned, and the stage's models are loaded."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

import structlog
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from newsflow.kafka import client_options
from newsflow.metrics import READY
from newsflow.settings import Settings
from newsflow.startup import Startup

log = structlog.get_logger(__name__)


@dataclass
class Health:
    broker_reachable: bool = False
    sends_ok: bool = True
    partitions_assigned: bool = False
    models_loaded: bool = False
    startup: Startup | None = field(default=None, compare=False, repr=False)

    def checks(self) -> dict[str, bool]:
        return {
            "broker_reachable": self.broker_reachable,
            "sends_ok": self.sends_ok,
            "partitions_assigned": self.partitions_assigned,
            "models_loaded": self.models_loaded,
        }

    @property
    def ready(self) -> bool:
        return all(self.checks().values())

    def set(self, **values: bool) -> None:
        before = self.ready
        for name, value in values.items():
            setattr(self, name, value)
        if self.ready != before:
            log.info("readiness_changed", ready=self.ready, **self.checks())
            if self.ready and self.startup is not None:
                self.startup.ready()  # the first time: worker_ready, with the start's phases
        READY.set(1 if self.ready else 0)


class BrokerProbe:
    """Asks the cluster for its metadata; a broker that is down or frozen fails the probe."""

    def __init__(self, settings: Settings, timeout: float) -> None:
        self.settings = settings
        self.timeout = timeout
        self.admin: Any = None
        self._lock = asyncio.Lock()  # one probe at a time, so two never open two clients

    async def ok(self) -> bool:
        async with self._lock:
            return await self._ok()

    async def _ok(self) -> bool:
        try:
            if self.admin is None:
                admin = AIOKafkaAdminClient(**client_options(self.settings))
                await asyncio.wait_for(admin.start(), self.timeout)
                self.admin = admin
            await asyncio.wait_for(self.admin.describe_cluster(), self.timeout)
        except (KafkaError, TimeoutError, OSError) as exc:
            log.debug("broker_probe_failed", error=repr(exc))
            await self.close()
            return False
        return True

    async def close(self) -> None:
        admin, self.admin = self.admin, None
        if admin is not None:
            with contextlib.suppress(KafkaError, TimeoutError, OSError):
                await asyncio.wait_for(admin.close(), self.timeout)


def install(app: Any, settings: Settings, health: Health) -> None:
    """Add the probe timer, the partition hooks and the three pages to a faust app."""
    probe = BrokerProbe(settings, timeout=settings.probe_timeout)

    @app.timer(interval=settings.probe_interval, name="broker_probe")
    async def _probe() -> None:
        health.set(broker_reachable=await probe.ok())

    # faust starts an app's tasks and timers once its first partitions are assigned, and a timer
    # first runs an interval later: probe at once then, so readiness need not wait one out.
    @app.task
    async def _first_probe() -> None:
        health.set(broker_reachable=await probe.ok())

    # "Assigned" means the group gave this member its share, which may be empty when there are
    # more members than partitions: such a member is still a healthy standby.
    @app.on_partitions_assigned.connect
    async def _assigned(_sender: Any, *_args: Any, **_kwargs: Any) -> None:
        health.set(partitions_assigned=True)

    @app.on_partitions_revoked.connect
    async def _revoked(_sender: Any, *_args: Any, **_kwargs: Any) -> None:
        health.set(partitions_assigned=False)

    @app.page("/healthz")
    async def _healthz(web: Any, _request: Any) -> Any:
        return web.json({"alive": True})  # answering at all means the event loop runs

    @app.page("/readyz")
    async def _readyz(web: Any, _request: Any) -> Any:
        body = {"ready": health.ready, "checks": health.checks()}
        return web.json(body, status=200 if health.ready else 503)

    @app.page("/metrics")
    async def _metrics(web: Any, _request: Any) -> Any:
        return web.bytes(generate_latest(), content_type=CONTENT_TYPE_LATEST.split(";")[0])
