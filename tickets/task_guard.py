"""A bound on tasks that crash their worker: given up after ``TASK_MAX_DELIVERIES`` starts.

Tasks are acknowledged late and put back in the queue when their worker is lost
(``task_acks_late``, ``task_reject_on_worker_lost``), so a worker killed by a
deploy or the OOM killer loses nothing. The other side of that: a task that kills
its worker every time (memory exhaustion on one input, a crash in a C library,
``os._exit``) comes back for ever. Celery has no count of its own (since celery
PR #6103 a lost worker's task is requeued whatever its ``redelivered`` flag; see
celery discussion #8969), and Redis keeps none either, so this module keeps one:

* the broker marks a message it gives out again as ``redelivered`` (kombu's Redis
  transport does, for a rejected or restored message); only such messages cost
  a query, ordinary ones nothing;
* a worker about to run a redelivered task counts the start in
  :class:`~tickets.models.RedeliveredTask` (committed before the task runs), and
  removes the row when the task finishes, well or with an error;
* a worker receiving a redelivered task that has already started
  ``TASK_MAX_DELIVERIES`` times (the first delivery counts as one) revokes it:
  Celery acknowledges it without running it. It is logged at ERROR and stays in
  the admin ("Tasks that lost their worker") for an operator.

Outbox deliveries have their own bound besides (the row's attempts, see
:func:`tickets.outbox_sweep._release_expired_leases`); this one covers every task.
"""

from __future__ import annotations

import logging
from reprlib import Repr
from typing import Any

from celery import signals
from celery.worker import state as worker_state
from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.db.models import F
from django.utils import timezone

from tickets.models import RedeliveredTask

logger = logging.getLogger(__name__)

_arguments = Repr(maxstring=200, maxother=200, maxlevel=3)


def _redelivered(delivery_info: dict[str, Any] | None) -> bool:
    return bool((delivery_info or {}).get("redelivered"))


def task_should_give_up(*, task_id: str, name: str) -> bool:
    """A redelivered task arrives: True (and recorded) if it has started often enough."""
    starts = (
        RedeliveredTask.objects.filter(task_id=task_id).values_list("starts", flat=True).first()
        or 1  # not counted yet: only its first delivery, which is assumed to have started
    )
    if starts < settings.TASK_MAX_DELIVERIES:
        return False
    row, _ = RedeliveredTask.objects.update_or_create(
        task_id=task_id[:255],
        defaults={"given_up_at": timezone.now()},
        create_defaults={"name": name[:200], "starts": starts, "given_up_at": timezone.now()},
    )
    logger.error(
        "Task %s[%s] given up: it started %s times and its worker was lost each time. "
        "It is acknowledged without running; arguments: %s",
        name,
        task_id,
        row.starts,
        row.arguments or "(not recorded)",
    )
    return True


def task_started(*, task_id: str, name: str, arguments: str, hostname: str) -> None:
    """A redelivered task is about to run: count the start before it can crash anything."""
    now = timezone.now()
    counted = RedeliveredTask.objects.filter(task_id=task_id).update(
        starts=F("starts") + 1, last_started_at=now, hostname=hostname[:200]
    )
    if not counted:
        RedeliveredTask.objects.get_or_create(
            task_id=task_id[:255],
            # Its first delivery started too, or it would not have come back.
            defaults={
                "name": name[:200],
                "arguments": arguments,
                "starts": 2,
                "hostname": hostname[:200],
            },
        )


def task_finished(*, task_id: str) -> None:
    """It ran to its end (a result or an exception): it is not crashing its worker."""
    RedeliveredTask.objects.filter(task_id=task_id, given_up_at__isnull=True).delete()


# --- Celery signal receivers -----------------------------------------------------------


def _guarded(what: str, call: Any, **kwargs: Any) -> Any:
    """The guard must never be why a task fails: a database error is logged and passed over."""
    try:
        return call(**kwargs)
    except DatabaseError:
        logger.warning("Task guard could not %s; the task runs unguarded.", what, exc_info=True)
        close_old_connections()
        return None


def _on_received(request: Any = None, **_kwargs: Any) -> None:
    # In the worker's main process, which outlives a pool process that dies.
    if request is None or not _redelivered(request.delivery_info):
        return
    # This process holds its connection between tasks (Celery closes only the pool's):
    # drop it if it is past its age or broken, as a request would.
    close_old_connections()
    if _guarded(
        "check a redelivered task", task_should_give_up, task_id=request.id, name=request.name
    ):
        # Celery acknowledges a revoked task when it comes to run it, and skips it.
        worker_state.revoked.add(request.id)


def _on_prerun(
    task_id: str = "", task: Any = None, args: Any = (), kwargs: Any = None, **_: Any
) -> None:
    if task is None or not _redelivered(task.request.delivery_info):
        return
    _guarded(
        "count a redelivered task's start",
        task_started,
        task_id=task_id,
        name=task.name,
        arguments=f"{_arguments.repr(tuple(args or ()))} {_arguments.repr(kwargs or {})}"[:1000],
        hostname=task.request.hostname or "",
    )


def _on_postrun(task_id: str = "", task: Any = None, **_: Any) -> None:
    if task is None or not _redelivered(task.request.delivery_info):
        return
    _guarded("note a redelivered task's end", task_finished, task_id=task_id)


def connect_signals() -> None:
    signals.task_received.connect(_on_received, weak=False, dispatch_uid="task_guard.received")
    signals.task_prerun.connect(_on_prerun, weak=False, dispatch_uid="task_guard.prerun")
    signals.task_postrun.connect(_on_postrun, weak=False, dispatch_uid="task_guard.postrun")
