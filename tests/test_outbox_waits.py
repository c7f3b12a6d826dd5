"""Long waits stay in the database, a row is handed over once per lease, each kind has a queue."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from helpdesk.celery import app as celery_app
from tickets import outbox, tasks
from tickets.models import OutboxMessage, OutboxStatus
from tickets.outbox import OutboxDeferred

pytestmark = pytest.mark.django_db


@pytest.fixture
def handed_over(monkeypatch) -> list[tuple[int, str, float | None]]:
    """What was handed to the broker (row, kind, countdown); the broker takes everything."""
    calls: list[tuple[int, str, float | None]] = []

    def dispatch(row_id, *, kind, countdown=None):
        calls.append((row_id, kind, countdown))
        return True

    monkeypatch.setattr(outbox, "outbox_dispatch", dispatch)
    return calls


def add_row(key="slack:1", kind="slack_alert") -> OutboxMessage:
    with transaction.atomic():
        return outbox.outbox_add(kind=kind, key=key, payload={})


def rate_limited(handlers, seconds: int) -> None:
    def deliver(row):
        raise OutboxDeferred("Slack rate limit (Retry-After)", retry_in=timedelta(seconds=seconds))

    handlers("slack_alert", deliver)


def overdue(*rows: OutboxMessage, by: timedelta = timedelta(minutes=2)) -> None:
    OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).update(
        next_attempt_at=timezone.now() - by
    )


def test_a_slack_retry_after_of_two_minutes_waits_in_the_database_not_in_the_broker(
    handlers, handed_over
):
    rate_limited(handlers, 120)
    row = add_row()
    assert outbox.outbox_deliver_row(row.pk).outcome == "deferred"
    row.refresh_from_db()
    assert handed_over == []  # no worker holds a message for two minutes
    assert row.status == OutboxStatus.PENDING
    assert row.attempts == 0
    # Nothing handed over to trust: the first sweep once it is due hands it over.
    assert row.lease_expires_at == row.next_attempt_at
    assert outbox.outbox_sweep() == 0  # not due yet
    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1)):
        assert outbox.outbox_sweep() == 1  # due a second ago: no sweep grace to wait out
    assert handed_over == [(row.pk, "slack_alert", None)]


def test_a_retry_after_of_a_few_seconds_is_handed_to_the_broker_with_a_countdown(
    handlers, handed_over, settings
):
    settings.OUTBOX_MAX_COUNTDOWN_SECONDS = 10
    rate_limited(handlers, 3)
    row = add_row()
    assert outbox.outbox_deliver_row(row.pk).outcome == "deferred"
    row.refresh_from_db()
    assert handed_over == [(row.pk, "slack_alert", 3.0)]
    assert row.lease_expires_at is None  # the countdown is trusted for the sweep grace


def test_a_long_backoff_waits_in_the_database(handlers, handed_over, settings):
    settings.OUTBOX_BACKOFF_BASE_SECONDS = 120

    def deliver(row):
        raise ConnectionError("Slack answered 503")

    handlers("slack_alert", deliver)
    row = add_row()
    assert outbox.outbox_deliver_row(row.pk).outcome == "retry"
    row.refresh_from_db()
    assert handed_over == []
    assert row.lease_expires_at == row.next_attempt_at > timezone.now()


def test_while_no_worker_consumes_the_sweeper_hands_each_row_over_once_per_lease(
    handlers, handed_over, settings
):
    settings.OUTBOX_DISPATCH_LEASE_SECONDS = 300
    rows = [add_row(key=f"slack:{n}") for n in range(3)]
    overdue(*rows)

    assert outbox.outbox_sweep() == 3
    assert outbox.outbox_sweep() == 0  # a minute later: still in the broker, trusted
    assert outbox.outbox_sweep() == 0
    assert sorted(row_id for row_id, _, _ in handed_over) == sorted(r.pk for r in rows)

    # The lease runs out with the rows still pending (the message was lost): again.
    OutboxMessage.objects.update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert outbox.outbox_sweep() == 3
    assert len(handed_over) == 6


def test_rows_the_broker_did_not_take_are_handed_over_at_the_next_sweep(handlers, monkeypatch):
    rows = [add_row(key=f"slack:{n}") for n in range(3)]
    overdue(*rows)
    taken: list[int] = []

    def broker_takes_one(row_id, *, kind, countdown=None):
        if taken:
            return False  # the broker went away after the first
        taken.append(row_id)
        return True

    monkeypatch.setattr(outbox, "outbox_dispatch", broker_takes_one)
    assert outbox.outbox_sweep() == 1
    taken.clear()
    monkeypatch.setattr(outbox, "outbox_dispatch", lambda row_id, **kw: taken.append(row_id) or 1)
    assert outbox.outbox_sweep() == 2  # the first is trusted; the other two go now
    assert len(set(taken)) == 2


def test_a_row_is_delivered_normally_after_a_sweep_handed_it_over(recorder_slack):
    row = add_row()
    overdue(row)
    OutboxMessage.objects.filter(pk=row.pk).update(
        lease_expires_at=timezone.now() + timedelta(minutes=5)
    )
    assert tasks.outbox_deliver(row.pk) == "delivered"
    row.refresh_from_db()
    assert row.status == OutboxStatus.DELIVERED
    assert row.lease_expires_at is None


@pytest.fixture
def recorder_slack(handlers):
    delivered: list[str] = []
    handlers("slack_alert", lambda row: delivered.append(row.key) or {"ok": True})
    return delivered


@pytest.mark.parametrize(
    ("kind", "queue"),
    [
        ("email", "email"),
        ("slack_alert", "slack"),
        ("slack_ephemeral", "slack"),
        ("github_issue", "github"),
        ("github_webhook", "github"),  # GitHub's webhook coming in, not ours going out
        ("webhook", "webhooks"),
        ("something_new", "helpdesk"),
    ],
)
def test_each_kind_is_delivered_from_its_own_queue(kind, queue, monkeypatch):
    published: list[dict] = []
    monkeypatch.setattr(
        tasks.outbox_deliver, "apply_async", lambda **options: published.append(options)
    )
    assert outbox.outbox_dispatch(7, kind=kind) is True
    assert published[0]["queue"] == queue
    assert published[0]["args"] == (7,)


def test_every_queue_is_declared_so_a_worker_without_q_consumes_them_all(settings):
    queues = celery_app.amqp.queues
    assert sorted(queues) == ["email", "github", "helpdesk", "sla", "slack", "webhooks"]
    for name, queue in queues.items():
        assert (queue.exchange.name, queue.routing_key) == (name, name)
    router = celery_app.amqp.router
    assert router.route({}, "tickets.tasks.sla_check")["queue"].name == "sla"
    assert router.route({}, "integrations.email.tasks.mail_process")["queue"].name == "email"
    assert router.route({}, "tickets.tasks.outbox_sweep")["queue"].name == "helpdesk"
    # Every kind's queue is one of them, so a worker without -Q never leaves one behind.
    assert set(settings.OUTBOX_QUEUES.values()) <= set(queues)


def test_handing_a_new_row_over_after_commit_adds_no_query_to_the_request(
    monkeypatch, django_capture_on_commit_callbacks, django_assert_num_queries
):
    monkeypatch.setattr(tasks.outbox_deliver, "apply_async", lambda **options: None)
    with django_capture_on_commit_callbacks() as callbacks:
        add_row()
    with django_assert_num_queries(0):
        for callback in callbacks:
            callback()


@pytest.mark.postgres
def test_the_sweep_reads_pending_rows_through_the_due_index(settings):
    if connection.vendor != "postgresql":
        pytest.skip("the index plan is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned
        plan = outbox.untrusted_due_rows(timezone.now())[:500].explain()
    assert "outbox_due" in plan
