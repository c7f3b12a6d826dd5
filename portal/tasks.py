"""Celery tasks of the portal: thin interfaces over its services."""

from celery import shared_task

from helpdesk.task_retries import RETRY_ON_DATABASE_ERRORS
from portal import services


@shared_task(
    name="portal.tasks.portal_purge_drafts", ignore_result=True, **RETRY_ON_DATABASE_ERRORS
)
def portal_purge_drafts() -> int:
    """Remove the held files of Contact Us drafts nobody submitted (hourly, on beat)."""
    return services.drafts_purge()
