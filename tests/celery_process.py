"""A real Celery worker (or beat) in a process of its own, on the test's database and broker.

Outage tests need what a thread cannot give: a worker that can exit for good (the
test then sees it), be killed with SIGKILL, or be started again. The process runs
``celery -A helpdesk`` from this virtualenv with the real settings
(``helpdesk.settings``), pointed by environment variables at the test database
(commit what it must see: ``django_db(transaction=True)``), the given broker and
whatever else the test passes (a fake Slack's URL, a short lease...). Its output
goes to a file in a unique temporary folder, read back with :meth:`log`.

On SQLite the worker shares the test database file (``var/test/test.sqlite3``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from django.conf import settings
from django.db import connection

CHECKOUT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).with_name("celery"))


def database_url() -> str:
    """The URL of the database this test uses (the test database, not the configured one)."""
    conf = connection.settings_dict
    if conf["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{conf['NAME']}"
    user = conf.get("USER") or "postgres"
    password = f":{conf['PASSWORD']}" if conf.get("PASSWORD") else ""
    host = conf.get("HOST") or "127.0.0.1"
    port = conf.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{conf['NAME']}"


def app_environment(broker_url: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of an app process (worker, beat, web) pointed at the test's own parts."""
    folder = Path(tempfile.mkdtemp(prefix="helpdesk-proc-"))
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "PYTEST_", "TEST_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="helpdesk.settings",
        DEBUG="false",
        SECRET_KEY=settings.SECRET_KEY,
        DATABASE_URL=database_url(),
        CELERY_BROKER_URL=broker_url,
        CACHE_URL="locmemcache://",
        HELPDESK_VAR_DIR=str(folder),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        EMAIL_URL="smtp://127.0.0.1:9",  # nothing listens: a test that sends mail sets its own
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra or {})
    return env


class CeleryProcess:
    """``celery -A helpdesk <role> ...`` as a child process, with its log in a file."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.args = args
        self.env = env
        self.log_path = Path(env["HELPDESK_VAR_DIR"]) / f"celery-{args[0]}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own celery, fixed arguments
            [CELERY, "-A", "helpdesk", *self.args],
            cwd=CHECKOUT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a signal to its group reaches its pool's children
        )
        log.close()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_ready(self, marker: str = "ready.", timeout: float = 60.0) -> None:
        """Wait for the worker's "celery@host ready." line (or beat's start)."""
        deadline = time.monotonic() + timeout
        while marker not in self.log():
            if not self.alive():
                raise AssertionError(f"celery {self.args[0]} exited:\n{self.log()[-4000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"celery {self.args[0]} not ready:\n{self.log()[-4000:]}")
            time.sleep(0.1)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the worker and its pool (its whole process group)."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, sig)

    def stop(self, timeout: float = 20.0) -> None:
        if not self.alive():
            return
        assert self.process is not None
        self.kill(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill(signal.SIGKILL)
            self.process.wait(timeout=timeout)


@contextlib.contextmanager
def celery_worker_process(
    broker_url: str,
    *,
    extra_env: Mapping[str, str] | None = None,
    pool: str = "solo",
    concurrency: int = 1,
    queues: str | None = None,
    name: str = "worker",
) -> Iterator[CeleryProcess]:
    """A started worker process (ready to consume); stopped after, whatever happened."""
    args = ["worker", "-l", "INFO", "-P", pool, "-c", str(concurrency), "-n", f"{name}@%h"]
    args += ["--without-gossip", "--without-mingle"]
    if queues:
        args += ["-Q", queues]
    worker = CeleryProcess(args, app_environment(broker_url, extra_env))
    worker.start()
    try:
        worker.wait_ready()
        yield worker
    finally:
        worker.stop()
