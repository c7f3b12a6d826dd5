"""The outbox: nothing lost, nothing sent twice, failures retried and then kept visible."""

from datetime import timedelta

import pytest
from django.contrib.admin.sites import site
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone

from helpdesk.celery import app as celery_app
from tests import factories
from tickets import outbox, outbox_sweep, tasks
from tickets.admin import OutboxMessageAdmin
from tickets.models import OutboxMessage, OutboxStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorder(handlers):
    """A handler for kind "test" that records what it delivered."""
    delivered: list[str] = []

    def deliver(row):
        delivered.append(row.key)
        return {"ok": True}

    handlers("test", deliver)
    return delivered


@pytest.fixture
def failing(handlers):
    def deliver(row):
        raise ConnectionError("Slack answered 503 Service Unavailable")

    handlers("test", deliver)


@pytest.fixture
def eager_celery():
    """Tasks run in-process when dispatched, as a worker would run them."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def add_row(key="test:1", **fields) -> OutboxMessage:
    with transaction.atomic():
        return outbox.outbox_add(kind="test", key=key, payload={"n": 1}, **fields)


def make_due(row: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())


def leave_behind(*rows: OutboxMessage) -> None:
    """The rows' own dispatch never happened, and the sweeper's grace period is over."""
    OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).update(
        next_attempt_at=timezone.now() - timedelta(minutes=2)
    )


def test_a_row_is_dispatched_only_when_its_transaction_commits(
    recorder, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        row = add_row()
        assert recorder == []  # not before commit
    assert len(callbacks) == 1
    row.refresh_from_db()
    assert row.status == OutboxStatus.DELIVERED
    assert row.result == {"ok": True}
    assert recorder == ["test:1"]


def test_a_row_written_in_a_rolled_back_transaction_is_never_delivered(
    recorder, eager_celery, django_capture_on_commit_callbacks
):
    def save_a_ticket_that_fails():
        with transaction.atomic():
            outbox.outbox_add(kind="test", key="test:lost", payload={})
            raise RuntimeError("the ticket could not be saved")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        save_a_ticket_that_fails()
    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert outbox.outbox_sweep() == 0
    assert recorder == []


def test_the_same_key_written_twice_is_one_row(recorder):
    first = add_row(key="email:ticket_created:7")
    second = add_row(key="email:ticket_created:7")
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1


def test_running_the_delivery_task_twice_delivers_once(recorder):
    row = add_row()
    assert tasks.outbox_deliver(row.pk) == "delivered"
    assert tasks.outbox_deliver(row.pk) == "skipped"
    assert recorder == ["test:1"]


def test_a_failing_handler_is_retried_with_growing_backoff_then_fails_with_its_error(
    failing, settings
):
    settings.OUTBOX_MAX_ATTEMPTS = 4
    settings.OUTBOX_BACKOFF_BASE_SECONDS = 60
    row = add_row()
    waits = []
    for attempt in range(1, 4):
        before = timezone.now()
        assert outbox.outbox_deliver_row(row.pk).outcome == "retry"
        row.refresh_from_db()
        assert row.status == OutboxStatus.PENDING
        assert row.attempts == attempt
        assert "503 Service Unavailable" in row.last_error
        waits.append((row.next_attempt_at - before).total_seconds())
        # Not due yet: a second call does nothing.
        assert outbox.outbox_deliver_row(row.pk).outcome == "skipped"
        make_due(row)

    # Exponential with jitter: each window is 50-100% of 60 s * 2^(n-1).
    for attempt, wait in enumerate(waits, start=1):
        full = 60 * 2 ** (attempt - 1)
        assert full * 0.5 - 1 <= wait <= full + 1

    result = outbox.outbox_deliver_row(row.pk)
    row.refresh_from_db()
    assert result.outcome == "failed"
    assert row.status == OutboxStatus.FAILED
    assert row.attempts == 4
    assert "ConnectionError: Slack answered 503" in row.last_error
    assert outbox.outbox_sweep() == 0  # a failed row waits for a person


def test_backoff_is_capped(settings):
    settings.OUTBOX_BACKOFF_BASE_SECONDS = 30
    settings.OUTBOX_BACKOFF_MAX_SECONDS = 3600
    assert outbox.backoff_delay(30) <= timedelta(seconds=3600)
    assert outbox.backoff_delay(30) >= timedelta(seconds=1800)


def test_an_unconfigured_integration_leaves_the_row_waiting_without_using_attempts(handlers):
    def not_configured(row):
        raise outbox.OutboxDeferred("Slack is not configured (SLACK_BOT_TOKEN is empty).")

    handlers("test", not_configured)
    row = add_row()
    assert outbox.outbox_deliver_row(row.pk).outcome == "deferred"
    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING
    assert row.attempts == 0
    assert row.last_error == "Slack is not configured (SLACK_BOT_TOKEN is empty)."
    assert row.next_attempt_at > timezone.now() + timedelta(minutes=30)


def test_a_kind_nobody_delivers_waits_visibly():
    row = add_row()  # no handler registered for "test"
    assert outbox.outbox_deliver_row(row.pk).outcome == "deferred"
    row.refresh_from_db()
    assert "No handler is registered" in row.last_error


def test_the_sweeper_dispatches_rows_left_pending(recorder, eager_celery):
    # The commit hook never ran (e.g. the broker was down at commit): the rows wait.
    rows = [add_row(key=f"test:{n}") for n in range(3)]
    assert all(r.status == OutboxStatus.PENDING for r in rows)
    leave_behind(*rows)

    assert outbox.outbox_sweep() == 3

    assert sorted(recorder) == ["test:0", "test:1", "test:2"]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"delivered"}


def test_the_sweeper_leaves_a_just_committed_row_to_its_own_dispatch(recorder, eager_celery):
    add_row()
    assert outbox.outbox_sweep() == 0
    assert recorder == []


def test_the_sweeper_counts_only_rows_the_broker_took(recorder, monkeypatch):
    rows = [add_row(key=f"test:{n}") for n in range(3)]
    leave_behind(*rows)
    outbox.broker_breaker.reset()
    monkeypatch.setattr(outbox, "outbox_dispatch", lambda row_id, **kw: False)
    assert outbox.outbox_sweep() == 0


def a_row_whose_worker_died(attempts: int) -> OutboxMessage:
    """A row left in SENDING by a worker that vanished: its lease ran out a second ago."""
    row = add_row()
    OutboxMessage.objects.filter(pk=row.pk).update(
        status=OutboxStatus.SENDING,
        attempts=attempts,
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )
    return row


def test_the_sweeper_takes_back_a_row_whose_worker_died(recorder, eager_celery):
    row = a_row_whose_worker_died(attempts=1)
    assert outbox.outbox_sweep() == 1
    row.refresh_from_db()
    assert row.status == OutboxStatus.DELIVERED
    assert row.attempts == 2


def test_a_row_whose_worker_died_on_its_last_attempt_fails_with_a_reason(recorder, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    row = a_row_whose_worker_died(attempts=3)
    assert outbox.outbox_sweep() == 0
    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED
    assert "worker was lost" in row.last_error
    assert recorder == []


def test_two_workers_claiming_one_row_deliver_it_once(recorder):
    row = add_row()
    now = timezone.now()
    assert outbox._claim(row.pk, now) is True
    assert outbox._claim(row.pk, now) is False


def test_a_worker_slower_than_its_lease_does_not_overwrite_the_newer_delivery(handlers):
    """Worker A's lease expires mid-delivery; the sweeper hands the row to worker B,
    which delivers it. A then fails late: its outcome must not undo B's."""
    row = add_row()

    def slow_then_fails(claimed):
        # While A is still inside the handler, its lease runs out and B delivers.
        OutboxMessage.objects.filter(pk=claimed.pk).update(
            lease_expires_at=timezone.now() - timedelta(seconds=1)
        )
        handlers("test", lambda again: {"by": "B"})
        outbox_sweep._release_expired_leases(timezone.now())
        assert outbox.outbox_deliver_row(claimed.pk).outcome == "delivered"
        raise TimeoutError("A's request to Slack finally timed out")

    handlers("test", slow_then_fails)
    assert outbox.outbox_deliver_row(row.pk).outcome == "superseded"
    row.refresh_from_db()
    assert row.status == OutboxStatus.DELIVERED
    assert row.result == {"by": "B"}
    assert row.attempts == 2


def test_the_sweeper_leaves_rows_being_delivered_alone(recorder, eager_celery):
    row = add_row()
    OutboxMessage.objects.filter(pk=row.pk).update(
        status=OutboxStatus.SENDING, lease_expires_at=timezone.now() + timedelta(minutes=5)
    )
    assert outbox.outbox_sweep() == 0
    assert recorder == []


def test_the_sweeper_does_not_dispatch_rows_that_are_not_due(recorder, eager_celery):
    row = add_row()
    OutboxMessage.objects.filter(pk=row.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert outbox.outbox_sweep() == 0


def test_an_admin_retries_a_failed_row_now(
    recorder, eager_celery, django_capture_on_commit_callbacks
):
    manager = factories.support_manager(is_superuser=True)
    row = add_row()
    OutboxMessage.objects.filter(pk=row.pk).update(
        status=OutboxStatus.FAILED, attempts=8, last_error="boom"
    )
    request = RequestFactory().post("/admin/tickets/outboxmessage/")
    request.user = manager
    request._messages = type("M", (), {"add": lambda *a, **k: None})()
    admin = OutboxMessageAdmin(OutboxMessage, site)

    with django_capture_on_commit_callbacks(execute=True):
        admin.retry_now(request, OutboxMessage.objects.filter(pk=row.pk))

    row.refresh_from_db()
    assert row.status == OutboxStatus.DELIVERED
    assert row.attempts == 1
    assert recorder == ["test:1"]


def test_delivered_rows_are_purged_after_the_keeping_period(recorder):
    old, recent = add_row(key="test:old"), add_row(key="test:recent")
    for row in (old, recent):
        outbox.outbox_deliver_row(row.pk)
    OutboxMessage.objects.filter(pk=old.pk).update(
        delivered_at=timezone.now() - timedelta(days=100)
    )
    assert outbox.outbox_purge_delivered(older_than_days=90) == 1
    assert list(OutboxMessage.objects.values_list("key", flat=True)) == ["test:recent"]


def test_the_outbox_is_listed_in_the_admin_with_its_errors(client):
    manager = factories.support_manager()
    add_row()
    OutboxMessage.objects.update(status=OutboxStatus.FAILED, last_error="SMTP said 550")
    client.force_login(manager)
    response = client.get("/admin/tickets/outboxmessage/?status__exact=failed")
    assert response.status_code == 200
    assert b"SMTP said 550" in response.content


def test_a_failed_attempt_is_handed_back_to_the_worker_after_a_short_backoff(
    failing, settings, monkeypatch
):
    settings.OUTBOX_BACKOFF_BASE_SECONDS = 8
    dispatched: list[tuple[int, str, float]] = []
    monkeypatch.setattr(
        outbox,
        "outbox_dispatch",
        lambda row_id, kind, countdown=None: dispatched.append((row_id, kind, countdown)),
    )
    row = add_row()
    assert outbox.outbox_deliver_row(row.pk).outcome == "retry"
    row.refresh_from_db()
    [(row_id, kind, countdown)] = dispatched
    assert (row_id, kind) == (row.pk, "test")
    assert 4 <= countdown <= 8
    wait = (row.next_attempt_at - timezone.now()).total_seconds()
    assert abs(wait - countdown) < 2
    assert row.lease_expires_at is None  # the countdown is trusted for the sweep grace
