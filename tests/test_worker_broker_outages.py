"""The worker outlives its broker: Redis stopped, restarted or hung, and each alert goes once.

Each test starts a redis-server of its own (so it can stop and freeze it), a
real Celery worker process with the production settings on the test database,
and a Slack on 127.0.0.1 that counts the messages posted for each outbox row.
Beat is played by the test: it publishes ``outbox_sweep`` as beat would.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.celery_process import CeleryProcess, celery_worker_process
from tests.polling import LONG_TEST_TIMEOUT, wait_for
from tests.redis_server import own_redis_server
from tests.worker_outages import (
    counting_slack,
    delivered,
    hand_over,
    publish_sweep,
    slack_alerts,
    worker_env,
)
from tickets.models import OutboxMessage, OutboxStatus

# Any database: what is under test is a worker process outliving its Redis (stopped,
# restarted, hung); the rows it reads are ordinary ones. CI runs it once, on PostgreSQL
# (.ci/run).
pytestmark = [
    pytest.mark.database_agnostic,
    pytest.mark.django_db(transaction=True),
    LONG_TEST_TIMEOUT,
]

# From Redis being back to the alert in Slack: the worker's reconnect back-off
# (2, 4, 6 s...) plus a sweep and the delivery. Generous for a loaded CI machine.
DELIVERED_WITHIN = 45.0


def still_running(worker: CeleryProcess) -> None:
    assert worker.alive(), worker.log()[-4000:]
    assert "Unrecoverable error" not in worker.log()


def held_messages(redis_server) -> list[str]:
    """What the worker holds unacknowledged: "countdown" (an ETA) or "running" each."""
    held = redis_server.client().hvals("unacked")
    return ["countdown" if json.loads(m)[0]["headers"].get("eta") else "running" for m in held]


def sweep_until_delivered(redis_url: str, *rows: OutboxMessage) -> float:
    """Publish a sweep every second (beat, sped up) until the rows are delivered; seconds taken."""
    started = time.monotonic()

    def swept_and_delivered() -> bool:
        publish_sweep(redis_url)
        return delivered(*rows)

    wait_for(swept_and_delivered, "the alert to be delivered", timeout=90, every=1.0)
    return time.monotonic() - started


@pytest.mark.parametrize(
    ("max_countdown", "worker_holds_a_message"),
    [("1", False), ("10", True)],
    ids=["wait-in-the-database", "countdown-held-by-the-worker"],
)
def test_a_slack_alert_answered_429_is_held_while_redis_is_stopped_and_started_and_posted_once(
    max_countdown, worker_holds_a_message
):
    """Slack says "Retry-After: 3"; Redis goes away during the wait and comes back empty.

    A wait above OUTBOX_MAX_COUNTDOWN_SECONDS lives only in the database; a
    shorter one is a countdown the worker holds unacknowledged, which used to
    crash it for good when Redis went away (kombu, see helpdesk.worker_broker).
    """
    [row] = slack_alerts(1)
    with own_redis_server() as redis_server, counting_slack() as slack:
        slack.rate_limit_first[row.key] = 3
        env = worker_env(
            slack, OUTBOX_MAX_COUNTDOWN_SECONDS=max_countdown, OUTBOX_SWEEP_GRACE_SECONDS="1"
        )
        with celery_worker_process(redis_server.url(), extra_env=env) as worker:
            hand_over(redis_server.url(), row)
            waiting = OutboxMessage.objects.filter(
                pk=row.pk,
                status=OutboxStatus.PENDING,
                attempts=0,
                last_error__contains="Retry-After",
            )
            wait_for(waiting.exists, "the alert to wait for Slack's Retry-After")
            assert slack.answered(row.key) == [429]
            # The first message is acknowledged; the wait is a countdown or nothing.
            expected = ["countdown"] if worker_holds_a_message else []
            wait_for(lambda: held_messages(redis_server) == expected, f"{expected} held")

            redis_server.stop()
            time.sleep(4)  # the Retry-After runs out while the broker is away
            still_running(worker)
            redis_server.start()  # empty: nothing was persisted

            took = sweep_until_delivered(redis_server.url(), row)
            still_running(worker)

    assert took < DELIVERED_WITHIN
    assert slack.answered(row.key) == [429, 200]  # posted exactly once
    if worker_holds_a_message:
        assert "Restoring 1 unacknowledged message(s)" in worker.log()


@pytest.mark.parametrize(
    ("hung_seconds", "worker_timeout"),
    [(5, "10"), (15, "2")],
    ids=["shorter-than-the-worker-s-timeout", "longer-than-it"],
)
def test_redis_hung_during_a_burst_of_20_alerts_then_continued_posts_each_once(
    hung_seconds, worker_timeout
):
    """SIGSTOP while the worker is posting and acknowledging; SIGCONT; nothing lost, none twice.

    A hang shorter than the worker's socket timeout is waited out; a longer one
    times out acknowledgements ("Couldn't ack") and reads, and the worker must
    still consume afterwards (kombu, see helpdesk.worker_broker).
    """
    rows = slack_alerts(20)
    with own_redis_server() as redis_server, counting_slack(delay=0.3) as slack:
        env = worker_env(slack, CELERY_WORKER_BROKER_TIMEOUT=worker_timeout)
        # As production runs it (Procfile, docker-compose): two pool processes.
        worker_process = celery_worker_process(
            redis_server.url(), extra_env=env, pool="prefork", concurrency=2
        )
        with worker_process as worker:
            hand_over(redis_server.url(), *rows)
            wait_for(lambda: len(slack.posts) >= 3, "the burst to start")
            redis_server.pause()
            time.sleep(hung_seconds)
            assert len(slack.posts) < 20  # the hang came in the middle of the burst
            redis_server.resume()

            wait_for(lambda: delivered(*rows), "all 20 alerts to be delivered", timeout=60)
            still_running(worker)
            # The worker still consumes: a new alert goes straight through.
            [late] = slack_alerts(1)
            hand_over(redis_server.url(), late)
            wait_for(lambda: delivered(late), "an alert after the hang", timeout=30)
            still_running(worker)

    accepted = slack.accepted()
    assert sorted(accepted) == sorted(row.key for row in [*rows, late])
    assert set(accepted.values()) == {1}
    assert len(slack.posts) == 21


def test_redis_restarted_while_an_alert_is_being_posted_posts_it_once_and_the_worker_goes_on():
    """The worker holds the message of a delivery in progress when Redis goes away."""
    [row] = slack_alerts(1)
    with own_redis_server() as redis_server, counting_slack(delay=4) as slack:
        worker_process = celery_worker_process(
            redis_server.url(), extra_env=worker_env(slack), pool="prefork", concurrency=2
        )
        with worker_process as worker:
            hand_over(redis_server.url(), row)
            wait_for(lambda: slack.arrived == 1, "the post to reach Slack")
            redis_server.stop()
            time.sleep(2)
            redis_server.start()  # empty: nothing was persisted

            wait_for(lambda: delivered(row), "the alert in progress to be recorded")
            [late] = slack_alerts(1)
            hand_over(redis_server.url(), late)
            wait_for(lambda: delivered(late), "an alert after the restart", timeout=60)
            still_running(worker)

    assert slack.accepted() == {row.key: 1, late.key: 1}


def queued(redis_server, queue: str) -> list[int]:
    """The outbox row ids of the delivery messages waiting in a queue."""
    messages = redis_server.client().lrange(queue, 0, -1)
    return sorted(int(json.loads(m)["headers"]["argsrepr"].strip("(,)")) for m in messages)


def test_while_no_worker_consumes_slack_the_sweep_hands_each_row_over_once_per_lease():
    """A worker that runs sweeps (queue helpdesk) but none that delivers to Slack."""
    rows = slack_alerts(3)
    ids = sorted(row.pk for row in rows)
    OutboxMessage.objects.filter(pk__in=ids).update(
        next_attempt_at=timezone.now() - timedelta(minutes=2)  # their own dispatch was lost
    )
    with own_redis_server() as redis_server, counting_slack() as slack:
        env = worker_env(slack)
        with celery_worker_process(redis_server.url(), extra_env=env, queues="helpdesk") as worker:

            def sweeps_done() -> int:
                return worker.log().count("tickets.tasks.outbox_sweep[") // 2  # received, done

            for sweep in range(1, 4):  # three minutes of beat
                assert publish_sweep(redis_server.url())
                wait_for(lambda sweep=sweep: sweeps_done() >= sweep, f"sweep {sweep}")
            assert queued(redis_server, "slack") == ids  # each once, in the Slack queue

            # The lease runs out with the rows still pending: handed over once more.
            OutboxMessage.objects.filter(pk__in=ids).update(
                lease_expires_at=timezone.now() - timedelta(seconds=1)
            )
            assert publish_sweep(redis_server.url())
            wait_for(lambda: sweeps_done() >= 4, "sweep 4")
            assert queued(redis_server, "slack") == sorted(ids * 2)
            still_running(worker)

    assert slack.posts == []
    assert set(OutboxMessage.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        OutboxStatus.PENDING
    }
