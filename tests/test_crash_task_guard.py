"""The guard's count: a redelivered task runs until it has started TASK_MAX_DELIVERIES times.

The signal receivers are called as Celery calls them (the real worker is in
test_crash_poison_task.py); ordinary, first deliveries cost no query at all.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from celery.worker import state as worker_state

from tickets import task_guard
from tickets.models import RedeliveredTask

pytestmark = pytest.mark.django_db

NAME = "integrations.email.tasks.process_inbound"


def delivery(task_id: str, *, redelivered: bool = True) -> SimpleNamespace:
    """A message as the worker's main process receives it."""
    return SimpleNamespace(id=task_id, name=NAME, delivery_info={"redelivered": redelivered})


def running(task_id: str, *, redelivered: bool = True) -> SimpleNamespace:
    """The task as a pool process is about to run it."""
    request = SimpleNamespace(delivery_info={"redelivered": redelivered}, hostname="w1@host")
    return SimpleNamespace(name=NAME, request=request)


def arrives_and_runs(task_id: str) -> bool:
    """One redelivery: True if the worker ran it (and it crashed again)."""
    task_guard._on_received(request=delivery(task_id))
    if task_id in worker_state.revoked:
        return False
    task_guard._on_prerun(task_id=task_id, task=running(task_id), args=(42,), kwargs={})
    return True


@pytest.fixture(autouse=True)
def _as_in_a_worker(monkeypatch):
    # A worker's main process drops a stale connection before the check; here the
    # connection holds the test's transaction, which must stay open.
    monkeypatch.setattr(task_guard, "close_old_connections", lambda: None)
    yield
    worker_state.revoked.clear()


def test_a_task_that_keeps_crashing_runs_three_times_in_all_then_is_given_up(settings, caplog):
    settings.TASK_MAX_DELIVERIES = 3
    # The first delivery ran (and crashed) unseen; each redelivery is counted.
    assert [arrives_and_runs("t-1") for _ in range(4)] == [True, True, False, False]

    row = RedeliveredTask.objects.get(task_id="t-1")
    assert row.starts == 3
    assert row.given_up_at is not None
    assert (row.name, row.arguments, row.hostname) == (NAME, "(42,) {}", "w1@host")
    [given_up, *_] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "given up" in given_up.getMessage()
    assert "t-1" in given_up.getMessage()


def test_a_redelivered_task_that_then_finishes_leaves_no_trace(settings):
    settings.TASK_MAX_DELIVERIES = 3
    assert arrives_and_runs("t-2")
    task_guard._on_postrun(task_id="t-2", task=running("t-2"))
    assert not RedeliveredTask.objects.exists()


def test_a_first_delivery_costs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        task_guard._on_received(request=delivery("t-3", redelivered=False))
        task_guard._on_prerun(task_id="t-3", task=running("t-3", redelivered=False))
        task_guard._on_postrun(task_id="t-3", task=running("t-3", redelivered=False))
    assert "t-3" not in worker_state.revoked


def test_with_one_delivery_allowed_a_lost_task_is_not_run_again(settings):
    settings.TASK_MAX_DELIVERIES = 1
    assert not arrives_and_runs("t-4")
    assert RedeliveredTask.objects.get(task_id="t-4").given_up_at is not None


def test_when_the_database_is_away_the_task_runs_unguarded(monkeypatch, caplog):
    from django.db import OperationalError

    def away(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(task_guard, "task_should_give_up", away)
    task_guard._on_received(request=delivery("t-5"))
    assert "t-5" not in worker_state.revoked
    assert "runs unguarded" in caplog.text
