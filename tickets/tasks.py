"""Celery tasks: thin interfaces that take ids and call one function."""

from celery import shared_task

from helpdesk.task_retries import RETRY_ON_DATABASE_ERRORS
from tickets import outbox, services, sla


@shared_task(name="tickets.tasks.outbox_deliver", ignore_result=True, **RETRY_ON_DATABASE_ERRORS)
def outbox_deliver(row_id: int) -> str:
    return outbox.outbox_deliver_row(row_id).outcome


@shared_task(name="tickets.tasks.outbox_sweep", ignore_result=True, **RETRY_ON_DATABASE_ERRORS)
def outbox_sweep() -> int:
    return outbox.outbox_sweep()


@shared_task(
    name="tickets.tasks.outbox_purge_delivered", ignore_result=True, **RETRY_ON_DATABASE_ERRORS
)
def outbox_purge_delivered() -> int:
    return outbox.outbox_purge_delivered()


@shared_task(name="tickets.tasks.sla_check", ignore_result=True, **RETRY_ON_DATABASE_ERRORS)
def sla_check() -> tuple[int, int]:
    result = sla.sla_check()
    return result.warned, result.breached


@shared_task(
    name="tickets.tasks.tickets_auto_close", ignore_result=True, **RETRY_ON_DATABASE_ERRORS
)
def tickets_auto_close() -> int:
    return services.tickets_auto_close().closed
