"""Celery tasks of the API: thin interfaces over its services."""

from celery import shared_task

from api import idempotency
from helpdesk.task_retries import RETRY_ON_DATABASE_ERRORS


@shared_task(
    name="api.tasks.idempotency_keys_purge", ignore_result=True, **RETRY_ON_DATABASE_ERRORS
)
def idempotency_keys_purge() -> int:
    """Delete the expired Idempotency-Key rows and the answers kept with them (daily, on beat)."""
    return idempotency.idempotency_keys_purge()
