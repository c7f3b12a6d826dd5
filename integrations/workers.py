"""Worker heartbeats: each Celery worker records when it last consumed a task.

A worker process can be alive and connected to nothing: after a broker outage it
may stop receiving tasks while ``ps`` and even ``celery inspect ping`` (a broadcast
that needs only the broker) look fine. What proves it consumes is a task that it
ran, so the worker writes its own heartbeat row:

- before any task it runs, at most every ``WORKER_HEARTBEAT_SECONDS`` per process
  (a single UPDATE), for the back office's "last consumed" column;
- when it runs :func:`integrations.tasks.worker_ping`, sent by
  ``manage.py worker_health`` to that worker's own queue (Celery's worker direct
  queue, ``<node name>.dq2``), with a token the command then waits to see.

Only ``celery worker`` processes write (the ``celeryd_init`` signal switches it on):
tasks run eagerly in tests or by the web process record nothing.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from integrations.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

PING_TASK = "integrations.tasks.worker_ping"
DIRECT_QUEUE_SUFFIX = ".dq2"  # celery.utils.nodenames.WORKER_DIRECT_QUEUE_FORMAT

_in_worker = False  # set in the `celery worker` process, inherited by its pool
_last_written: dict[str, float] = {}  # hostname -> time.monotonic() of the last write


def heartbeat_record(*, hostname: str, ping: str = "", started: bool = False) -> None:
    """Record that ``hostname`` consumed a task now (and which ping, if it was one)."""
    now = timezone.now()
    fields: dict[str, Any] = {"started_at": now} if started else {"consumed_at": now}
    if started:
        fields["queues"] = consumed_queues()
    if ping:
        fields["ping"] = ping
    if WorkerHeartbeat.objects.filter(hostname=hostname).update(**fields):
        return
    with contextlib.suppress(IntegrityError), transaction.atomic():
        WorkerHeartbeat.objects.create(hostname=hostname, **fields)


def consumed_queues() -> str:
    """The queues this worker consumes (its direct queue left out), comma-separated."""
    from celery import current_app

    names = current_app.amqp.queues.consume_from or {}
    return ",".join(sorted(name for name in names if not name.endswith(DIRECT_QUEUE_SUFFIX)))


def heartbeat_due(hostname: str) -> bool:
    """At most one write per ``WORKER_HEARTBEAT_SECONDS`` per process and worker."""
    last = _last_written.get(hostname)
    now = time.monotonic()
    if last is not None and now - last < settings.WORKER_HEARTBEAT_SECONDS:
        return False
    _last_written[hostname] = now
    return True


def on_worker_init(sender: str | None = None, conf: Any = None, **_: Any) -> None:
    """``celeryd_init``: this process is a worker; it also consumes its direct queue.

    ``worker_direct`` gives every worker the queue ``<node name>.dq2``, so the health
    check can reach exactly the worker it checks (whatever ``-Q`` says).
    """
    global _in_worker
    _in_worker = True
    if conf is not None:
        conf.worker_direct = True


def on_worker_ready(sender: Any = None, **_: Any) -> None:
    """``worker_ready``: note when it started and the queues it serves."""
    hostname = getattr(sender, "hostname", None)
    if not _in_worker or not hostname:
        return
    try:
        heartbeat_record(hostname=hostname, started=True)
    except DatabaseError as exc:
        logger.warning("Could not record that %s started: %s", hostname, exc)
    finally:
        # This is the pool's parent process: it keeps no database connection.
        connection.close()


def on_task_prerun(sender: Any = None, **_: Any) -> None:
    """``task_prerun``: the worker consumed a task; record it, throttled."""
    request = getattr(sender, "request", None)
    hostname = getattr(request, "hostname", None)
    if not _in_worker or not hostname or getattr(request, "is_eager", False):
        return
    if sender.name == PING_TASK or not heartbeat_due(hostname):
        return  # the ping records itself, unthrottled
    try:
        heartbeat_record(hostname=hostname)
    except DatabaseError as exc:  # the task itself meets the database next; not our error
        logger.warning("Could not record %s's heartbeat: %s", hostname, exc)


def connect_worker_signals() -> None:
    from celery import signals

    signals.celeryd_init.connect(on_worker_init, dispatch_uid="integrations.worker_init")
    signals.worker_ready.connect(on_worker_ready, dispatch_uid="integrations.worker_ready")
    signals.task_prerun.connect(on_task_prerun, dispatch_uid="integrations.task_prerun")
