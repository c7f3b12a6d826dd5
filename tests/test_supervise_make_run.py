"""``make run``'s processes (honcho, Procfile.dev) outlive a crashed worker and a Redis restart.

honcho runs the real Procfile.dev here: runserver, and the worker and beat under
scripts/supervise.py, on the test database and a redis-server of the test's own.
The worker is killed outright, then Redis is restarted; each time the help desk
must still be running and the worker consuming (``manage.py worker_health``).
Ctrl-C then stops everything, leaving no process behind.
"""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.celery_process import CHECKOUT, app_environment
from tests.polling import LONG_TEST_TIMEOUT, wait_for
from tests.redis_server import RedisServer, free_port, own_redis_server

# Any database: what is under test is honcho and the supervise wrapper keeping
# `make run`'s processes up; the rows it reads are ordinary ones. CI runs it once, on
# PostgreSQL (.ci/run).
pytestmark = [
    pytest.mark.database_agnostic,
    pytest.mark.django_db(transaction=True),
    LONG_TEST_TIMEOUT,
]

HONCHO = str(Path(sys.executable).with_name("honcho"))


class Honcho:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.log_path = Path(env["HELPDESK_VAR_DIR"]) / "honcho.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our honcho and Procfile
                [HONCHO, "-f", "Procfile.dev", "start"],
                cwd=CHECKOUT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def worker_pids(self) -> list[int]:
        return [
            int(pid) for pid in re.findall(r"supervise\[worker\]: started pid (\d+)", self.log())
        ]

    def ready_count(self) -> int:
        return len(re.findall(r"worker\.1 .*celery@\S+ ready\.", self.log()))

    def alive(self) -> bool:
        return self.process.poll() is None


@pytest.fixture
def make_run() -> Iterator[tuple[Honcho, RedisServer]]:
    with own_redis_server() as server:
        env = app_environment(server.url())
        env.update(DEBUG="true", PORT=str(free_port()))
        honcho = Honcho(env)
        try:
            yield honcho, server
        finally:
            if honcho.alive():
                honcho.process.send_signal(signal.SIGINT)
                try:
                    honcho.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    honcho.process.kill()


def consuming(honcho: Honcho) -> bool:
    options = ["--timeout", "5", "--hostname", f"celery@{socket.gethostname()}"]
    check = subprocess.run(  # noqa: S603 - our manage.py, fixed arguments
        [sys.executable, "manage.py", "worker_health", *options],
        cwd=CHECKOUT,
        env={**honcho.env, "DEBUG": "false"},
        capture_output=True,
        timeout=120,
    )
    return check.returncode == 0


def web_answers(honcho: Honcho) -> bool:
    url = f"http://127.0.0.1:{honcho.env['PORT']}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def running(pid: int) -> bool:
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False


def test_the_help_desk_outlives_a_crashed_worker_and_a_redis_restart(make_run):
    honcho, redis_server = make_run
    wait_for(lambda: honcho.ready_count() == 1, "the worker to be ready", timeout=90)
    wait_for(lambda: web_answers(honcho), "the web server", timeout=60)
    (first,) = honcho.worker_pids()

    subprocess.run(["kill", "-KILL", str(first)], check=True)  # noqa: S603, S607 - a crash
    wait_for(lambda: honcho.ready_count() == 2, "the worker to be started again", timeout=90)
    assert honcho.alive(), honcho.log()[-3000:]
    assert web_answers(honcho)
    assert wait_for(lambda: consuming(honcho), "the new worker to consume", every=1)

    redis_server.restart()
    wait_for(lambda: consuming(honcho), "the worker to consume after Redis came back", every=1)
    assert honcho.alive()
    assert web_answers(honcho)

    workers = honcho.worker_pids()
    honcho.process.send_signal(signal.SIGINT)  # Ctrl-C
    honcho.process.wait(timeout=30)
    time.sleep(1)
    assert not any(running(pid) for pid in workers), honcho.log()[-3000:]
