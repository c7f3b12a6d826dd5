"""The scale-out rehearsal, CI-sized: the production shape survives a lost worker and Redis.

``python -m bench.scaleout`` runs as an operator would run it (``make rehearse``),
shortened: its own database on the same PostgreSQL server as the tests, its own
redis-server, 2 web replicas, 2 workers, a beat and a second beat by mistake,
15 seconds of mixed load with one worker SIGKILLed and Redis restarted, then the
outbox drained and everything counted at the fakes. PostgreSQL only (the
rehearsal is of the production topology); redis-server must be on PATH.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.polling import LONG_TEST_TIMEOUT

CHECKOUT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.postgres, LONG_TEST_TIMEOUT]


def database_server() -> str:
    """The tests' PostgreSQL server (the rehearsal creates and drops a database of its own)."""
    conf = connection.settings_dict
    password = f":{conf['PASSWORD']}" if conf.get("PASSWORD") else ""
    host, port = conf.get("HOST") or "127.0.0.1", conf.get("PORT") or 5432
    return f"postgres://{conf.get('USER') or 'postgres'}{password}@{host}:{port}/postgres"


@pytest.fixture
def rehearsal(tmp_path) -> dict:
    if shutil.which("redis-server") is None:
        message = "redis-server is needed on PATH for the rehearsal"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "DATABASE_", "PYTEST_", "TEST_"))
    }
    counts = tmp_path / "counts.json"
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.scaleout", "--duration", "15", "--drain", "60",
         "--requesters", "1", "--concurrency", "1", "--slack-retry-after", "3",
         "--server", database_server(),
         "--json", str(counts)],
        cwd=CHECKOUT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    print(f"rehearsal took {time.monotonic() - started:.0f} s\n{result.stdout[-3000:]}")
    assert counts.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    return {**json.loads(counts.read_text()), "returncode": result.returncode}


@pytest.mark.django_db
def test_a_worker_killed_and_redis_restarted_under_load_lose_nothing_and_send_nothing_twice(
    rehearsal,
):
    assert (rehearsal["duplicates"], rehearsal["lost"], rehearsal["lost_tickets"]) == (0, 0, 0)
    assert rehearsal["sla_duplicates"] == 0
    assert rehearsal["unexpected"] == 0
    assert rehearsal["returncode"] == 0
    assert rehearsal["tickets_saved"] == rehearsal["tickets_confirmed"] >= 5
    assert rehearsal["submit_errors"] == 0
    # Every row is delivered, except a mail whose worker was killed while handing it to
    # SMTP: that one fails with the reason instead of risking a second mail.
    by_status = rehearsal["outbox_by_status"]
    assert set(by_status) <= {"delivered", "failed"}, by_status
    assert by_status.get("failed", 0) == rehearsal["failed_after_lost_worker"]
    assert sum(by_status.values()) == sum(rehearsal["outbox_by_kind"].values())
    received = rehearsal["received"]
    assert received["smtp"] >= rehearsal["tickets_confirmed"]  # an acknowledgement each, at least
    assert received["slack"] >= 1
    assert received["github_issues"] >= 1
    assert rehearsal["webhooks_processed"] == rehearsal["webhooks_sent"] >= 1
    assert rehearsal["sla_notices"] >= 1
    happened = " ".join(rehearsal["happened"])
    for accident in ("a second beat started", "worker-1 SIGKILLed", "Redis restarted"):
        assert accident in happened
