"""Celery tasks for inbound mail: thin, they take ids and call one service."""

from __future__ import annotations

from celery import shared_task

from helpdesk.task_retries import RETRY_ON_DATABASE_ERRORS
from integrations.email import imap, services


@shared_task(
    name="integrations.email.tasks.mail_poll", ignore_result=True, **RETRY_ON_DATABASE_ERRORS
)
def mail_poll() -> int:
    """Beat: poll the IMAP mailbox, then process mail stored but left unprocessed.

    The poll comes first: a stored mail that brings its worker down (rather than
    raising) is retried at every beat, and must not keep new mail waiting.
    """
    stored = imap.mail_poll_imap().stored
    services.inbound_process_pending(older_than_seconds=60)
    return stored


@shared_task(
    name="integrations.email.tasks.mail_process", ignore_result=True, **RETRY_ON_DATABASE_ERRORS
)
def mail_process(inbound_id: int) -> str:
    return services.inbound_process(inbound_id=inbound_id).status
