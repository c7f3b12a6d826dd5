"""A redis-server of the test's own on a free loopback port: the test can stop, hang and restart it.

The shared Redis on 6379 belongs to everyone on the machine (other checkouts, CI):
an outage test must never stop or freeze it. This starts ``redis-server`` from
``PATH`` in a unique temporary folder, with nothing kept on disk unless asked.
Without the binary the test is skipped, except on CI, where it fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """One redis-server process; ``url`` stays the same across stop and start."""

    def __init__(self, folder: Path, *, persist: bool = False) -> None:
        self.folder = folder
        self.port = free_port()
        self.persist = persist
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def _command(self) -> list[str]:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--dir", str(self.folder), "--daemonize", "no", "--loglevel", "warning"]
        command += ["--logfile", str(self.folder / "redis.log")]
        if self.persist:
            return [*command, "--appendonly", "yes", "--appendfsync", "always", "--save", ""]
        return [*command, "--appendonly", "no", "--save", ""]

    def start(self, *, timeout: float = 20.0) -> None:
        """Start (or start again, on the same port) and wait until it answers PING."""
        assert self.process is None or self.process.poll() is not None, "already running"
        self.process = subprocess.Popen(  # noqa: S603 - redis-server, fixed arguments
            self._command(), stdout=subprocess.DEVNULL
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(redis.RedisError):
                if client.ping():
                    client.close()
                    return
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = (self.folder / "redis.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"redis-server on port {self.port} did not start: {log}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop it as an outage does: the process is gone, connections are refused."""
        if self.process is None or self.process.poll() is not None:
            return
        self.resume()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def pause(self) -> None:
        """Hang it (SIGSTOP): connections are accepted by the kernel, nothing is answered."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGCONT)

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(port=self.port, db=db, socket_connect_timeout=1, socket_timeout=5)


@contextlib.contextmanager
def own_redis_server(*, persist: bool = False) -> Iterator[RedisServer]:
    """A started redis-server of this test's own; stopped and its folder removed after."""
    if shutil.which("redis-server") is None:
        message = "redis-server is needed on PATH for this outage test"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with tempfile.TemporaryDirectory(prefix="helpdesk-redis-") as folder:
        server = RedisServer(Path(folder), persist=persist)
        server.start()
        try:
            yield server
        finally:
            server.stop()
