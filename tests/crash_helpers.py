"""What the lost-worker tests share: a private Redis, a worker to kill, sweeps published.

The worker runs the real settings with a lease of a few seconds, so a row whose
worker was killed comes back to the sweeper quickly (the task time limit stays at
its 30 s minimum; nothing here runs that long).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping

from django.conf import settings

from helpdesk.celery import app as celery_app
from tests.brokers import use_broker
from tests.celery_process import CeleryProcess, celery_worker_process
from tests.polling import wait_for
from tests.redis_server import RedisServer, own_redis_server
from tickets.models import OutboxMessage

LEASE_SECONDS = 4


def worker_env(**extra: str) -> dict[str, str]:
    return {
        "OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
        "OUTBOX_SWEEP_GRACE_SECONDS": "0",
        "OUTBOX_BACKOFF_BASE_SECONDS": "1",
        **extra,
    }


@contextlib.contextmanager
def private_broker() -> Iterator[RedisServer]:
    """A redis-server of the test's own, which this process publishes to as well."""
    with (
        own_redis_server() as server,
        use_broker(server.url(), settings.REDIS_BROKER_TRANSPORT_OPTIONS),
    ):
        yield server


@contextlib.contextmanager
def worker(server: RedisServer, env: Mapping[str, str], **kwargs) -> Iterator[CeleryProcess]:
    with celery_worker_process(server.url(), extra_env=env, **kwargs) as process:
        yield process


class Killer:
    """Kills the worker (its whole process group, as the OOM killer or a power cut would)
    the first time a fake receiver gets the message: after it arrived, before the
    worker hears back, let alone marks the row delivered."""

    def __init__(self) -> None:
        self.worker: CeleryProcess | None = None
        self.killed = 0

    def __call__(self) -> None:
        if self.worker is not None and self.killed == 0:
            self.killed += 1
            self.worker.kill()


def wait_until_dead(process: CeleryProcess) -> None:
    wait_for(lambda: not process.alive(), "the killed worker to be gone", timeout=30)
    assert process.process is not None
    process.process.wait()


def sweep_until(row: OutboxMessage, *statuses: str, timeout: float = 60) -> OutboxMessage:
    """Publish the sweep every second, as beat would, until the row settles."""
    deadline = time.monotonic() + timeout
    while True:
        row.refresh_from_db()
        if row.status in statuses:
            return row
        assert time.monotonic() < deadline, f"row {row.pk} still {row.status}: {row.last_error}"
        celery_app.send_task("tickets.tasks.outbox_sweep")
        time.sleep(1)


def lease_runs_out() -> None:
    """Wait out the killed attempt's lease (and the Slack thread claim of the same length)."""
    time.sleep(LEASE_SECONDS + 1)
