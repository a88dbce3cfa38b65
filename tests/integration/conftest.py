"""Running the real workers (``newsflow worker``) as processes against the test broker, each test
with its own topics and consumer groups so tests never see each other's messages."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from newsflow.broker import free_port
from newsflow.client import consume, produce
from newsflow.settings import Settings

pytestmark = pytest.mark.integration


@dataclass
class Pipeline:
    """One isolated pipeline: its settings, its environment, and the workers it started."""

    settings: Settings
    env: dict[str, str]
    logdir: Path
    procs: list[tuple[subprocess.Popen[bytes], Path]] = field(default_factory=list)

    def start_worker(self, service: str = "all") -> subprocess.Popen[bytes]:
        log = self.logdir / f"worker-{service}-{len(self.procs)}.log"
        cmd = [sys.executable, "-m", "newsflow", "worker", "--service", service,
               "--web-port", str(free_port())]  # fmt: skip
        with log.open("wb") as out:  # the child keeps its own copy of the descriptor
            proc = subprocess.Popen(cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        self.procs.append((proc, log))
        return proc

    def stop_all(self) -> list[int]:
        codes = []
        for proc, _ in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc, _ in self.procs:
            try:
                codes.append(proc.wait(60))
            except subprocess.TimeoutExpired:
                proc.kill()
                codes.append(proc.wait())
        return codes

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}" for _, log in self.procs
        )

    def produce(self, payloads: list[bytes], topic: str | None = None) -> int:
        return asyncio.run(produce(self.settings, topic or self.settings.topics.raw, payloads))

    def collect(self, topic: str, n: int, timeout: float = 120.0) -> list[bytes]:
        """Read ``topic`` from the beginning until ``n`` messages or ``timeout`` seconds."""

        async def run() -> list[bytes]:
            got: list[bytes] = []
            messages = consume(self.settings, topic, from_beginning=True, timeout=timeout)
            async with contextlib.aclosing(messages):
                async for value in messages:
                    got.append(value)
                    if len(got) >= n:
                        break
            return got

        return asyncio.run(run())


@pytest.fixture
def pipeline(bootstrap: str, tmp_path: Path) -> Iterator[Pipeline]:
    run = uuid.uuid4().hex[:8]
    env = {
        **os.environ,
        "NEWSFLOW_BOOTSTRAP_SERVERS": bootstrap,
        "NEWSFLOW_APP_ID": f"test-{run}",
        "NEWSFLOW_TOPICS__RAW": f"raw-{run}",
        "NEWSFLOW_TOPICS__NORMALIZED": f"normalized-{run}",
        "NEWSFLOW_TOPICS__ENRICHED": f"enriched-{run}",
        "NEWSFLOW_TOPICS__DEADLETTER": f"deadletter-{run}",
        "NEWSFLOW_DATA_DIR": str(tmp_path / "data"),
        "NEWSFLOW_SESSION_TIMEOUT": "3",
        "NEWSFLOW_HEARTBEAT_INTERVAL": "0.5",
        "NEWSFLOW_REBALANCE_TIMEOUT": "3",
    }
    settings = Settings(
        bootstrap_servers=bootstrap,
        topics={"raw": f"raw-{run}", "normalized": f"normalized-{run}",
                "enriched": f"enriched-{run}", "deadletter": f"deadletter-{run}"},
    )  # fmt: skip
    p = Pipeline(settings, env, tmp_path)
    yield p
    p.stop_all()
