"""Running the real workers (``newsflow worker``) as processes against the test broker, each test
with its own topics and consumer groups so tests never see each other's messages."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pytest

from newsflow.broker import EmbeddedBroker, free_port
from newsflow.client import consume, consume_records, produce
from newsflow.procs import worker_command
from newsflow.settings import Settings

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def _free_ports(count: int) -> int:
    """A port p with p .. p+count-1 free: ``worker --service all`` gives its enrich processes
    p+1 on, and a taken p+1 ended that child at start (a fault test then waited out its timeout)."""
    for _ in range(50):
        port = free_port()
        try:
            with contextlib.ExitStack() as held:
                for extra in range(1, count):
                    s = held.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
                    s.bind(("127.0.0.1", port + extra))
            return port
        except OSError:
            continue
    raise RuntimeError(f"no {count} consecutive free ports")


@dataclass
class Pipeline:
    """One isolated pipeline: its settings, its environment, and the workers it started."""

    settings: Settings
    env: dict[str, str]
    logdir: Path
    procs: list[tuple[subprocess.Popen[bytes], Path]] = field(default_factory=list)
    ports: dict[int, int] = field(default_factory=dict)  # pid -> web port

    def start_worker(
        self, service: str = "all", *, fault: str | None = None
    ) -> subprocess.Popen[bytes]:
        """``newsflow worker`` as a process; with ``fault``, the same worker with that fault
        injected (tests/integration/faulty_worker.py)."""
        log = self.logdir / f"worker-{service}-{len(self.procs)}.log"
        enrich = int(self.env.get("NEWSFLOW_ENRICH_PROCESSES", "1"))
        port = _free_ports(1 + enrich if service == "all" else 1)
        module = "newsflow" if fault is None else ("tests.integration.faulty_worker", fault)
        cmd = worker_command(service, web_port=port, module=module)
        with log.open("ab") as out:  # the child keeps its own copy of the descriptor
            proc = subprocess.Popen(cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                    cwd=ROOT)  # fmt: skip
        self.procs.append((proc, log))
        self.ports[proc.pid] = port
        return proc

    def web(self, proc: subprocess.Popen[bytes], path: str) -> tuple[int, bytes] | None:
        """GET a worker's health page: (status, body), or None while it does not answer."""
        url = f"http://127.0.0.1:{self.ports[proc.pid]}{path}"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # our own loopback URL
                return int(response.status), bytes(response.read())
        except urllib.error.HTTPError as exc:
            return int(exc.code), bytes(exc.read())
        except (urllib.error.URLError, OSError):
            return None

    def wait_ready(
        self, proc: subprocess.Popen[bytes], ready: bool = True, timeout: float = 90.0
    ) -> float:
        """Seconds until /readyz says ``ready``; fails the test on timeout."""
        start = time.monotonic()
        want = 200 if ready else 503
        while True:
            got = self.web(proc, "/readyz")
            if got is not None and got[0] == want:
                return time.monotonic() - start
            assert proc.poll() is None, f"worker exited with {proc.returncode}:\n{self.logs()}"
            assert time.monotonic() - start < timeout, f"/readyz never became {want}: {got}"
            time.sleep(0.2)

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

    def collect_ids(
        self, topic: str, expected: set[str], timeout: float = 300.0
    ) -> tuple[Counter[str], list[float]]:
        """Read ``topic`` from the beginning until every expected article id has arrived (or
        ``timeout``): how often each id came, and when each message was written (the record's
        timestamp, seconds since the epoch)."""

        async def run() -> tuple[Counter[str], list[float]]:
            seen: Counter[str] = Counter()
            written: list[float] = []
            records = consume_records(self.settings, topic, from_beginning=True, timeout=timeout)
            async with contextlib.aclosing(records):
                async for record in records:
                    seen[orjson.loads(record.value)["article_id"]] += 1
                    written.append(record.timestamp / 1000)
                    if expected <= seen.keys():
                        break
            return seen, written

        return asyncio.run(run())


def make_pipeline(bootstrap: str, tmp_path: Path) -> Pipeline:
    run = uuid.uuid4().hex[:8]
    # The embedded broker holds a group join for half the session timeout: a short one keeps
    # the tests quick there. Apache Kafka refuses one under its group.min.session.timeout.ms
    # (6 s by default), so a Kafka given by NEWSFLOW_TEST_BOOTSTRAP gets that.
    session = "6" if os.environ.get("NEWSFLOW_TEST_BOOTSTRAP") else "3"
    env = {
        **os.environ,
        "NEWSFLOW_BOOTSTRAP_SERVERS": bootstrap,
        "NEWSFLOW_APP_ID": f"test-{run}",
        "NEWSFLOW_TOPICS__RAW": f"raw-{run}",
        "NEWSFLOW_TOPICS__NORMALIZED": f"normalized-{run}",
        "NEWSFLOW_TOPICS__ENRICHED": f"enriched-{run}",
        "NEWSFLOW_TOPICS__DEADLETTER": f"deadletter-{run}",
        "NEWSFLOW_TOPICS__REPLAYED": f"replayed-{run}",
        "NEWSFLOW_DATA_DIR": str(tmp_path / "data"),
        "NEWSFLOW_SESSION_TIMEOUT": session,
        "NEWSFLOW_HEARTBEAT_INTERVAL": "0.5",
        "NEWSFLOW_REBALANCE_TIMEOUT": session,
        "NEWSFLOW_WEB_HOST": "127.0.0.1",
        # one enrich process under `--service all` (its default is one per core): the fault
        # tests count one enrich worker's crashes; test_pipeline runs two on purpose
        "NEWSFLOW_ENRICH_PROCESSES": "1",
    }
    settings = Settings(
        bootstrap_servers=bootstrap,
        topics={"raw": f"raw-{run}", "normalized": f"normalized-{run}",
                "enriched": f"enriched-{run}", "deadletter": f"deadletter-{run}",
                "replayed": f"replayed-{run}"},
    )  # fmt: skip
    return Pipeline(settings, env, tmp_path)


@pytest.fixture
def pipeline(bootstrap: str, tmp_path: Path) -> Iterator[Pipeline]:
    p = make_pipeline(bootstrap, tmp_path)
    yield p
    p.stop_all()


@pytest.fixture
def own_broker() -> Iterator[EmbeddedBroker]:
    """A broker of the test's own, for tests that stop or pause it (embedded broker only)."""
    if os.environ.get("NEWSFLOW_TEST_BOOTSTRAP"):
        pytest.skip("pauses the broker process: needs the embedded broker")
    with EmbeddedBroker() as broker:
        yield broker
