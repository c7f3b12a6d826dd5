"""A task that kills its worker every time is given up after a few starts, not looped for ever.

Tasks are acknowledged late and requeued when their worker is lost, so a task
that always crashes it would come back for ever. A real worker (prefork, one pool
process, on a Redis of the test's own) runs a task that SIGKILLs the process
running it; the guard (tickets/task_guard.py) stops it after TASK_MAX_DELIVERIES.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from helpdesk.celery import app as celery_app
from tests.crash_helpers import private_broker, worker
from tests.polling import LONG_TEST_TIMEOUT, wait_for
from tickets.models import RedeliveredTask

# Any database: what is under test is the worker processes a poison task kills; the
# guard's count is an ordinary row, whose rules test_crash_task_guard.py checks on both.
# CI runs it once, on PostgreSQL (.ci/run).
pytestmark = [
    pytest.mark.database_agnostic,
    pytest.mark.django_db(transaction=True),
    LONG_TEST_TIMEOUT,
]


def starts(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_a_task_that_always_kills_its_worker_is_given_up_after_three_starts_and_work_goes_on(
    tmp_path,
):
    starts_file, done = tmp_path / "starts", tmp_path / "done"
    env = {"DJANGO_SETTINGS_MODULE": "tests.crash_settings", "TASK_MAX_DELIVERIES": "3"}
    with private_broker() as redis, worker(redis, env, pool="prefork") as process:
        result = celery_app.send_task("tests.crash_tasks.crash_the_worker", args=[str(starts_file)])
        given_up = wait_for(
            lambda: RedeliveredTask.objects.filter(
                task_id=result.id, given_up_at__isnull=False
            ).first(),
            "the crashing task to be given up",
            timeout=60,
        )
        celery_app.send_task("tests.crash_tasks.note", args=[str(done), "after the crashes"])
        wait_for(done.exists, "the worker to go on with other work", timeout=30)
        time.sleep(2)  # a fourth start, if the guard let one through, would show by now
        assert process.alive()
        assert redis.client().llen("helpdesk") == 0  # nothing left to come back
        log = process.log()

    assert starts(starts_file) == 3  # three pool processes killed, then no more
    assert given_up.starts == 3
    assert given_up.name == "tests.crash_tasks.crash_the_worker"
    assert str(starts_file) in given_up.arguments
    assert done.read_text() == "after the crashes"
    assert log.count("Task handler raised error: WorkerLostError") == 3
    assert f"Task tests.crash_tasks.crash_the_worker[{result.id}] given up" in log
