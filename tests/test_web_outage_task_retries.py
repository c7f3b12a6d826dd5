"""A task that meets the database restarting is run again, boundedly, instead of being lost."""

from __future__ import annotations

import pytest
from django.db import InterfaceError, OperationalError, transaction

from helpdesk.celery import app as celery_app
from helpdesk.task_retries import RETRY_ON_DATABASE_ERRORS
from tickets import outbox, tasks
from tickets.models import OutboxMessage, OutboxStatus

pytestmark = pytest.mark.django_db

RESTARTING = OperationalError("terminating connection due to administrator command")
OUR_APPS = ("tickets.", "integrations.", "portal.")


@pytest.fixture
def recorder(handlers):
    delivered: list[str] = []
    handlers("test", lambda row: delivered.append(row.key) or {"ok": True})
    return delivered


def add_row(key: str = "test:retry") -> OutboxMessage:
    with transaction.atomic():
        return outbox.outbox_add(kind="test", key=key, payload={"n": 1})


def database_fails(times: int, monkeypatch) -> list[int]:
    """The first ``times`` claims fail as during a PostgreSQL restart; then it is back."""
    calls: list[int] = []
    real_claim = outbox._claim

    def claim(row_id, now):
        calls.append(row_id)
        if len(calls) <= times:
            raise RESTARTING
        return real_claim(row_id, now)

    monkeypatch.setattr(outbox, "_claim", claim)
    return calls


def test_a_delivery_that_meets_a_database_restart_is_retried_and_sent_once(recorder, monkeypatch):
    row = add_row()
    claims = database_fails(2, monkeypatch)

    result = tasks.outbox_deliver.apply(args=(row.pk,))

    assert result.successful()
    assert result.result == "delivered"
    assert len(claims) == 3  # two failed claims, then the one that delivered
    assert recorder == [row.key]
    row.refresh_from_db()
    assert row.status == OutboxStatus.DELIVERED
    assert row.attempts == 1  # the failed claims used none of the row's attempts


def test_a_database_that_stays_away_ends_the_retries_and_the_row_waits_for_the_sweeper(
    recorder, monkeypatch
):
    row = add_row()
    claims = database_fails(100, monkeypatch)

    result = tasks.outbox_deliver.apply(args=(row.pk,))

    assert result.failed()
    assert isinstance(result.result, OperationalError)
    assert len(claims) == RETRY_ON_DATABASE_ERRORS["max_retries"] + 1
    assert recorder == []
    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING  # not lost: the sweeper hands it over again


def test_every_task_of_the_help_desk_retries_on_database_errors_a_bounded_number_of_times():
    ours = {name: task for name, task in celery_app.tasks.items() if name.startswith(OUR_APPS)}
    assert "tickets.tasks.outbox_deliver" in ours
    assert "tickets.tasks.sla_check" in ours
    for name, task in ours.items():
        assert OperationalError in task.autoretry_for, name
        assert InterfaceError in task.autoretry_for, name
        assert 0 < task.max_retries <= 10, name
        assert task.retry_backoff, name
