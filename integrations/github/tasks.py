"""Celery tasks: thin interfaces that call one function."""

from __future__ import annotations

from celery import shared_task

from helpdesk.task_retries import RETRY_ON_DATABASE_ERRORS
from integrations.github import sync


@shared_task(
    name="integrations.github.tasks.github_reconcile",
    ignore_result=True,
    **RETRY_ON_DATABASE_ERRORS,
)
def github_reconcile() -> int:
    """What a missed webhook would have brought (beat, every GITHUB_RECONCILE_MINUTES);
    old processed webhook deliveries are purged on the way."""
    sync.purge_processed_deliveries()
    return sync.reconcile()
