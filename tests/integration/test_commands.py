"""`newsflow broker` and `newsflow worker` as a user runs them: start, serve, stop cleanly."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import pytest

from newsflow.broker import free_port, port_open

pytestmark = pytest.mark.integration


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not port_open("127.0.0.1", port):
        assert proc.poll() is None, "the broker command exited early"
        assert time.monotonic() < deadline, "the broker did not listen in time"
        time.sleep(0.1)


def test_broker_command_serves_and_stops_on_sigterm() -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "newsflow", "broker", "--port", str(port)],
                            stderr=subprocess.PIPE)  # fmt: skip
    try:
        _wait_for_port(port, proc)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
        assert not port_open("127.0.0.1", port)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        if proc.stderr:
            proc.stderr.close()


def test_broker_command_refuses_a_busy_port(bootstrap: str) -> None:
    host, _, port = bootstrap.rpartition(":")
    if host not in {"127.0.0.1", "localhost"}:
        pytest.skip("needs the embedded broker on this machine")
    done = subprocess.run([sys.executable, "-m", "newsflow", "broker", "--port", port],
                          capture_output=True, timeout=30, check=False)  # fmt: skip
    assert done.returncode == 1
    assert b"already in use" in done.stderr


def _web_port() -> int:
    """A free port p with p+1 free too (enrich binds p+1 under ``--service all``)."""
    while True:
        port = free_port()
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port


@pytest.mark.parametrize("service", ["ingest", "all"])
def test_worker_without_a_broker_exits_with_a_clear_message(service: str) -> None:
    port = free_port()
    done = subprocess.run(
        [sys.executable, "-m", "newsflow", "worker", "--service", service,
         "--bootstrap", f"127.0.0.1:{port}", "--web-port", str(_web_port())],
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert b"cannot reach Kafka" in done.stderr


def test_broker_does_not_outlive_a_killed_newsflow() -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "newsflow", "broker", "--port", str(port)],
                            stderr=subprocess.DEVNULL)  # fmt: skip
    _wait_for_port(port, proc)
    proc.kill()  # SIGKILL: no chance to clean up
    proc.wait()
    deadline = time.monotonic() + 10
    while port_open("127.0.0.1", port):
        assert time.monotonic() < deadline, "the broker kept running after newsflow died"
        time.sleep(0.1)
