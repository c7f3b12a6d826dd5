"""Tasks of the integrations app itself (each integration has its own tasks module)."""

from celery import Task, shared_task

from integrations import workers


@shared_task(name=workers.PING_TASK, bind=True, ignore_result=True)
def worker_ping(self: Task, token: str) -> None:
    """Sent by ``manage.py worker_health`` to one worker's own queue: it consumed this."""
    if self.request.hostname:  # None when run eagerly: there is no worker to vouch for
        workers.heartbeat_record(hostname=self.request.hostname, ping=token)
