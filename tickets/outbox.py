"""The outbox: side effects written in the caller's transaction, delivered after commit.

A service calls :func:`outbox_add` inside its transaction. When the transaction
commits, the row is handed to Celery; if the broker is down or slow, the request
goes on regardless and the periodic sweeper hands the row over later. Delivery
claims a row with one conditional UPDATE, so two workers never deliver the same
row at once; handlers receive the row's stable ``key`` so the receiver can
deduplicate a retry after a crash. Failures retry with exponential backoff and
jitter and end in ``failed`` with their last error after ``OUTBOX_MAX_ATTEMPTS``.

Long waits live in the database, not in the broker (see :func:`_reschedule`). On
a pending row, ``lease_expires_at`` says until when its hand-over to the broker is
trusted (null: for ``OUTBOX_SWEEP_GRACE_SECONDS`` after it is due); the sweeper
hands a row over again only after that. Each kind has its Celery queue.

``tickets`` knows only kinds (:mod:`tickets.outbox_kinds`); the ``integrations``
app registers how each kind is delivered when it starts.
"""

from __future__ import annotations

import functools
import logging
import random
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from helpdesk.network_budget import Breaker, budget_spent
from tickets.models import OutboxMessage, OutboxStatus, Ticket
from tickets.outbox_kinds import OutboxKind, handler_for

logger = logging.getLogger(__name__)


class OutboxDeferred(Exception):
    """Raised by a handler that cannot deliver yet for a known reason (e.g. not configured).

    The row waits, visible with the reason, without using up an attempt.
    """

    def __init__(self, reason: str, retry_in: timedelta = timedelta(hours=1)):
        super().__init__(reason)
        self.retry_in = retry_in


class OutboxPermanentFailure(Exception):
    """Raised by a handler when retrying cannot help (bad credentials, unknown channel…).

    The row ends as failed at once with this message for the admin, without
    using the remaining attempts.
    """


def outbox_add(
    *,
    kind: OutboxKind,
    key: str,
    payload: dict[str, Any],
    ticket: Ticket | None = None,
    new_key: bool = False,
) -> OutboxMessage:
    """Record a side effect in the current transaction; it is dispatched after commit.

    The key is unique: writing the same key twice keeps the first row, so a
    service that runs twice never causes the effect twice. ``new_key`` says no
    row can have the key yet (it names a row this transaction wrote): one insert,
    without the look-up and savepoint.
    """
    if new_key:
        row = OutboxMessage.objects.create(key=key[:200], kind=kind, payload=payload, ticket=ticket)
        transaction.on_commit(lambda: outbox_dispatch(row.pk, kind=kind))
        return row
    row, created = OutboxMessage.objects.get_or_create(
        key=key[:200], defaults={"kind": kind, "payload": payload, "ticket": ticket}
    )
    if created:
        transaction.on_commit(lambda: outbox_dispatch(row.pk, kind=row.kind))
    return row


@dataclass(frozen=True)
class OutboxItem:
    kind: OutboxKind
    key: str
    payload: dict[str, Any]
    ticket_id: int | None = None


def outbox_add_many(items: Sequence[OutboxItem]) -> list[int]:
    """:func:`outbox_add` for a batch: keys already written are skipped, the rest inserted at once.

    For writers that hold a lock on what the keys are about (the SLA check locks
    its clocks), so no other transaction writes the same keys meanwhile.
    """
    keys = [item.key[:200] for item in items]
    existing = set(OutboxMessage.objects.filter(key__in=keys).values_list("key", flat=True))
    rows = OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(kind=item.kind, key=key, payload=item.payload, ticket_id=item.ticket_id)
            for item, key in zip(items, keys, strict=True)
            if key not in existing
        ]
    )
    ids = [row.pk for row in rows]
    if ids:
        kinds = [(row.pk, row.kind) for row in rows]
        transaction.on_commit(lambda: _dispatch_all(kinds))
    return ids


def _dispatch_all(rows: Sequence[tuple[int, str]]) -> None:
    for row_id, kind in rows:
        if not outbox_dispatch(row_id, kind=kind):
            return  # the broker is away: the sweeper hands the rest over


# A failed hand-over pauses this process's publishing (the sweeper delivers meanwhile).
broker_breaker = Breaker("OUTBOX_DISPATCH_PAUSE_SECONDS")


def outbox_queue(kind: str) -> str:
    """The Celery queue for rows of ``kind``: its family's (``slack_alert`` → slack)."""
    family = kind.partition("_")[0]
    return settings.OUTBOX_QUEUES.get(family, settings.CELERY_TASK_DEFAULT_QUEUE)


def outbox_dispatch(row_id: int, *, kind: str, countdown: float | None = None) -> bool:
    """Hand one row to the Celery worker. Never raises: the sweeper is the safety net."""
    from tickets.tasks import outbox_deliver

    if broker_breaker.is_open() or budget_spent():  # the request waited enough: sweeper
        return False
    try:
        outbox_deliver.apply_async(
            args=(row_id,), countdown=countdown or 0, queue=outbox_queue(kind), retry=False
        )
    except Exception:
        broker_breaker.trip()
        logger.warning(
            "Outbox row %s not handed to the broker; the sweeper will deliver it.",
            row_id,
            exc_info=True,
        )
        return False
    return True


@dataclass(frozen=True)
class DeliveryResult:
    row_id: int
    outcome: str  # "delivered", "retry", "failed", "deferred", "skipped" or "superseded"
    error: str = ""


def backoff_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter: base * 2^(n-1), capped, then 50-100% of it."""
    base = settings.OUTBOX_BACKOFF_BASE_SECONDS
    cap = settings.OUTBOX_BACKOFF_MAX_SECONDS
    delay = min(cap, base * (2 ** max(0, attempts - 1)))
    return timedelta(seconds=delay * random.uniform(0.5, 1.0))  # noqa: S311 - jitter, not crypto


def _claim(row_id: int, now: datetime) -> bool:
    claimed = OutboxMessage.objects.filter(
        pk=row_id, status=OutboxStatus.PENDING, next_attempt_at__lte=now
    ).update(
        status=OutboxStatus.SENDING,
        attempts=F("attempts") + 1,
        lease_expires_at=now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS),
    )
    return claimed == 1


def outbox_deliver_row(row_id: int) -> DeliveryResult:
    """Deliver one due row through its kind's handler; safe to call any number of times."""
    now = timezone.now()
    if not _claim(row_id, now):
        return DeliveryResult(row_id, "skipped")
    row = OutboxMessage.objects.get(pk=row_id)
    # A worker slower than its lease may find the row reclaimed by another; the
    # attempt number tells this claim from the newer one, so a late worker never
    # overwrites its outcome.
    mine = OutboxMessage.objects.filter(
        pk=row_id, status=OutboxStatus.SENDING, attempts=row.attempts
    )
    handler = handler_for(row.kind)
    try:
        if handler is None:
            raise OutboxDeferred(f"No handler is registered for outbox kind “{row.kind}”.")
        result = handler(row) or {}
    except OutboxDeferred as deferred:
        outcome = _reschedule(
            row, mine, "deferred", deferred.retry_in, str(deferred), attempts=F("attempts") - 1
        )
        return DeliveryResult(row_id, outcome, str(deferred))
    except OutboxPermanentFailure as permanent:
        return _fail(row, mine, str(permanent))
    except Exception as exc:
        return _record_failure(row, mine, exc)
    outcome = _settle(
        mine,
        "delivered",
        status=OutboxStatus.DELIVERED,
        delivered_at=timezone.now(),
        lease_expires_at=None,
        last_error="",
        result=result,
    )
    return DeliveryResult(row_id, outcome)


def _settle(mine: QuerySet[OutboxMessage], outcome: str, **fields: Any) -> str:
    """Record this claim's outcome, unless a newer claim has taken the row since."""
    return outcome if mine.update(**fields) == 1 else "superseded"


def _reschedule(
    row: OutboxMessage,
    mine: QuerySet[OutboxMessage],
    outcome: str,
    wait: timedelta,
    error: str,
    **fields: Any,
) -> str:
    """The row waits as pending: in the broker if the wait is short, else in the database.

    A wait up to ``OUTBOX_MAX_COUNTDOWN_SECONDS`` is handed over with a countdown.
    A longer one is only written down, with no hand-over to trust past its due
    time, so the first sweep after that hands it over: no worker holds a message
    for minutes, and a broker outage meanwhile loses nothing.
    """
    due = timezone.now() + wait
    in_broker = wait.total_seconds() <= settings.OUTBOX_MAX_COUNTDOWN_SECONDS
    outcome = _settle(
        mine,
        outcome,
        status=OutboxStatus.PENDING,
        next_attempt_at=due,
        lease_expires_at=None if in_broker else due,
        last_error=error,
        **fields,
    )
    if outcome != "superseded" and in_broker:
        outbox_dispatch(row.pk, kind=row.kind, countdown=wait.total_seconds())
    return outcome


def _fail(row: OutboxMessage, mine: QuerySet[OutboxMessage], error: str) -> DeliveryResult:
    """The row fails for good (last attempt, or an error no retry can help)."""
    outcome = _settle(
        mine, "failed", status=OutboxStatus.FAILED, lease_expires_at=None, last_error=error
    )
    if outcome == "failed":
        logger.error("Outbox row %s (%s) failed for good: %s", row.pk, row.kind, error)
    return DeliveryResult(row.pk, outcome, error)


def _record_failure(
    row: OutboxMessage, mine: QuerySet[OutboxMessage], exc: Exception
) -> DeliveryResult:
    error = "".join(traceback.format_exception_only(exc)).strip()
    logger.warning(
        "Outbox row %s (%s) failed on attempt %s: %s", row.pk, row.kind, row.attempts, error
    )
    if row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        return _fail(row, mine, error)
    outcome = _reschedule(row, mine, "retry", backoff_delay(row.attempts), error)
    return DeliveryResult(row.pk, outcome, error)


@transaction.atomic
def outbox_retry_now(*, rows: Iterable[OutboxMessage]) -> int:
    """An admin's "retry now": failed or waiting rows get a fresh set of attempts."""
    waiting = (OutboxStatus.PENDING, OutboxStatus.FAILED)
    kinds = {row.pk: row.kind for row in rows if row.status in waiting}
    count = OutboxMessage.objects.filter(pk__in=kinds, status__in=waiting).update(
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        lease_expires_at=None,
    )
    for row_id, kind in kinds.items():
        transaction.on_commit(functools.partial(outbox_dispatch, row_id, kind=kind))
    return count


# The sweeper (and the purge) live in tickets.outbox_sweep; importable from here too.
from tickets.outbox_sweep import (  # noqa: E402 - it uses this module's dispatch
    outbox_purge_delivered,
    outbox_sweep,
    untrusted_due_rows,
)

__all__ = ["outbox_purge_delivered", "outbox_sweep", "untrusted_due_rows"]
