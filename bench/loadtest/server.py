"""Starting and stopping the servers under test: gunicorn on free loopback ports.

Each server runs in its own process group, so stopping it stops its workers too;
:class:`Servers` stops every server it started when its ``with`` block ends, on
an error or Ctrl-C as well.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

HOST = "127.0.0.1"
# The checkout: gunicorn imports the apps from here, wherever the harness was started.
BASE_DIR = Path(__file__).resolve().parents[2]
WORKERS = 2
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


class ServerError(Exception):
    """A server did not start; the message says where its log is."""


def free_port(host: str = HOST) -> int:
    """A port nothing listens on now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def gunicorn_command(app: str, port: int, workers: int = WORKERS) -> list[str]:
    """gunicorn with sync workers on loopback, logging errors only."""
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    return [
        gunicorn, app, "--chdir", str(BASE_DIR), "--bind", f"{HOST}:{port}",
        "--workers", str(workers), "--worker-class", "sync", "--timeout", "120",
        "--log-level", "warning",
    ]  # fmt: skip


class Servers:
    """The servers of one load test run; all stopped on exit."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, app: str, env: dict[str, str], health: str) -> int:
        """Start ``app`` (a WSGI path) and wait until ``health`` answers 200; its port."""
        port = free_port()
        log = (self.log_dir / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            gunicorn_command(app, port),
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with its workers
        )
        self.processes.append(process)
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ServerError(f"{name} exited ({process.returncode}); see {log.name}")
            try:
                with urllib.request.urlopen(f"http://{HOST}:{port}{health}", timeout=5) as r:
                    if r.status == 200:
                        return port
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        raise ServerError(f"{name} did not answer within {READY_TIMEOUT:.0f} s; see {log.name}")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    def __enter__(self) -> Servers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
