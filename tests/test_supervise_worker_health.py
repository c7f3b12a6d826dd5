"""The worker's health check tells a worker that consumes from one that only looks alive.

A real ``celery worker`` process on a redis-server of the test's own; the check is run
as the container runs it (``manage.py worker_health`` in a process of its own), so its
exit code is what Docker would see. Hanging Redis (SIGSTOP) is the outage of issue 18
where the worker stayed up and consumed nothing.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from django.conf import settings

from helpdesk.celery import app as celery_app
from integrations.models import WorkerHeartbeat
from tests.brokers import use_broker
from tests.celery_process import CHECKOUT, app_environment, celery_worker_process
from tests.polling import LONG_TEST_TIMEOUT, wait_for
from tests.redis_server import RedisServer, own_redis_server

# Any database: what is under test is the worker's health check against a real worker
# and redis-server; the rows it reads are ordinary ones. CI runs it once, on PostgreSQL
# (.ci/run).
pytestmark = [
    pytest.mark.database_agnostic,
    pytest.mark.django_db(transaction=True),
    LONG_TEST_TIMEOUT,
]

CHECK_TIMEOUT = 5


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    with own_redis_server() as server:
        yield server


def health_check(broker_url: str, hostname: str) -> tuple[int, str, float]:
    """``manage.py worker_health`` as the container runs it: exit code, output, seconds."""
    started = time.monotonic()
    options = ["--hostname", hostname, "--timeout", str(CHECK_TIMEOUT)]
    check = subprocess.run(  # noqa: S603 - our manage.py, fixed arguments
        [sys.executable, "manage.py", "worker_health", *options],
        cwd=CHECKOUT,
        env=app_environment(broker_url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    return check.returncode, check.stdout + check.stderr, time.monotonic() - started


def test_the_check_passes_while_the_worker_consumes_fails_while_redis_hangs_and_recovers(
    redis_server,
):
    # A worker of the scale-out shape: only the Slack and GitHub queues, plus its own.
    with celery_worker_process(
        redis_server.url(), queues="slack,github", name="slack-github"
    ) as worker:
        hostname = f"slack-github@{socket.gethostname()}"
        code, output, _ = health_check(redis_server.url(), hostname)
        assert code == 0, output
        assert f"{hostname} consumed a ping" in output
        heartbeat = WorkerHeartbeat.objects.get(hostname=hostname)
        assert heartbeat.queues == "github,slack"
        assert heartbeat.started_at is not None
        assert heartbeat.consumed_at is not None

        redis_server.pause()
        try:
            code, output, took = health_check(redis_server.url(), hostname)
        finally:
            redis_server.resume()
        assert code == 1, output
        # Django's start-up, plus the check's own bound on the wait.
        assert took < CHECK_TIMEOUT + 20
        assert hostname in output

        wait_for(
            lambda: health_check(redis_server.url(), hostname)[0] == 0,
            "the check to pass again once Redis answers",
            timeout=90,
            every=1,
        )
        assert worker.alive()


def test_a_worker_that_is_alive_but_takes_nothing_fails_the_check_while_redis_is_fine(
    redis_server,
):
    with celery_worker_process(redis_server.url(), name="frozen") as worker:
        hostname = f"frozen@{socket.gethostname()}"
        assert health_check(redis_server.url(), hostname)[0] == 0
        worker.kill(signal.SIGSTOP)  # its process is there (ps, pid file), it runs nothing
        try:
            code, output, _ = health_check(redis_server.url(), hostname)
            assert worker.alive()
        finally:
            worker.kill(signal.SIGCONT)
        assert code == 1, output
        assert f"{hostname} did not consume a ping within {CHECK_TIMEOUT} s" in output
        wait_for(
            lambda: health_check(redis_server.url(), hostname)[0] == 0,
            "the check to pass again once the worker runs",
            timeout=60,
            every=1,
        )


def test_a_worker_records_when_it_last_consumed_an_ordinary_task(redis_server):
    with (
        celery_worker_process(redis_server.url(), queues="slack", name="slack") as worker,
        use_broker(redis_server.url(), settings.REDIS_BROKER_TRANSPORT_OPTIONS),
    ):
        hostname = f"slack@{socket.gethostname()}"
        started = wait_for(
            lambda: (
                WorkerHeartbeat.objects.filter(hostname=hostname, started_at__isnull=False)
                .values_list("started_at", flat=True)
                .first()
            ),
            "the worker to say it started",
        )
        assert WorkerHeartbeat.objects.get(hostname=hostname).consumed_at is None

        celery_app.send_task("tickets.tasks.outbox_sweep", queue="slack")

        consumed = wait_for(
            lambda: WorkerHeartbeat.objects.get(hostname=hostname).consumed_at,
            "the sweep to be consumed",
        )
        assert consumed >= started
        assert worker.alive()


def test_a_worker_that_is_gone_fails_the_check(redis_server):
    code, output, _ = health_check(redis_server.url(), "nobody@nowhere")
    assert code == 1
    assert "nobody@nowhere did not consume a ping within" in output
