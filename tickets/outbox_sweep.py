"""The outbox's sweeper: rows a dispatch never reached, and rows whose worker was lost.

Beat runs :func:`outbox_sweep` every ``OUTBOX_SWEEP_SECONDS``: it takes rows back
from workers lost mid-delivery (:func:`_release_expired_leases`), then hands
every due row whose last hand-over is no longer trusted to the broker once per
``OUTBOX_DISPATCH_LEASE_SECONDS``. Delivered rows are purged nightly.
The hand-over itself is :func:`tickets.outbox.outbox_dispatch` (read through the
module, so the breaker and tests see one function).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import outbox
from tickets.models import OutboxMessage, OutboxStatus

logger = logging.getLogger("tickets.outbox")


def outbox_sweep(*, batch_size: int = 500) -> int:
    """Hand over every due row whose last hand-over (if any) is no longer trusted.

    Rows whose worker died mid-delivery get their lease back first, or fail for
    good if that was their last attempt. A row handed over is not handed over
    again for ``OUTBOX_DISPATCH_LEASE_SECONDS``: a worker that is down does not
    find the same rows queued every minute. Returns how many were handed over.
    """
    outbox.broker_breaker.reset()  # the sweep itself came through the broker: it is back
    now = timezone.now()
    _release_expired_leases(now)
    due = _lease_due_rows(now, batch_size)
    for handed_over, (row_id, kind) in enumerate(due):
        if not outbox.outbox_dispatch(row_id, kind=kind):
            # The broker is down: the rows not handed over are due again at the next sweep.
            rest = [pk for pk, _kind in due[handed_over:]]
            OutboxMessage.objects.filter(pk__in=rest, status=OutboxStatus.PENDING).update(
                lease_expires_at=now
            )
            return handed_over
    return len(due)


def _lease_due_rows(now: datetime, batch_size: int) -> list[tuple[int, str]]:
    """The due rows with no trusted hand-over, each now trusted for a dispatch lease.

    Locked while their lease is written (``SKIP LOCKED``, on PostgreSQL), so a
    second sweep running by mistake at the same time hands each row over once.
    """
    with transaction.atomic():
        due = list(
            untrusted_due_rows(now)
            .select_for_update(skip_locked=True)
            .values_list("pk", "kind")[:batch_size]
        )
        OutboxMessage.objects.filter(
            pk__in=[pk for pk, _kind in due], status=OutboxStatus.PENDING
        ).update(lease_expires_at=now + timedelta(seconds=settings.OUTBOX_DISPATCH_LEASE_SECONDS))
    return due


def untrusted_due_rows(now: datetime) -> QuerySet[OutboxMessage]:
    """Due pending rows whose hand-over is not trusted any more (index outbox_due)."""
    grace_over = now - timedelta(seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS)
    untrusted = Q(lease_expires_at__isnull=True, next_attempt_at__lte=grace_over) | Q(
        lease_expires_at__lte=now
    )
    return OutboxMessage.objects.filter(
        untrusted, status=OutboxStatus.PENDING, next_attempt_at__lte=now
    ).order_by("next_attempt_at")


def _release_expired_leases(now: datetime) -> None:
    """Take rows back from workers lost mid-delivery (killed, out of memory, past their lease).

    Whether the lost attempt reached the receiver is unknown, and the row says so
    (``lost_attempts``, ``last_error``): a handler whose receiver can be asked looks
    for the earlier message before sending again (Slack, GitHub). A row lost while
    handing over to a receiver that cannot be asked (SMTP, ``handover_started_at``)
    fails at once with the reason instead of risking a second message; so does a
    row lost on its last attempt, which bounds a delivery that kills every worker.
    """
    expired = OutboxMessage.objects.filter(status=OutboxStatus.SENDING, lease_expires_at__lt=now)
    lost = {"lease_expires_at": None, "lost_attempts": F("lost_attempts") + 1}
    in_handover = _(
        "The worker was lost while sending; the message may have left. It is not sent "
        "again, to avoid a duplicate: check with the recipient, then use Retry now if it "
        "did not arrive."
    )
    failed = expired.filter(handover_started_at__isnull=False).update(
        status=OutboxStatus.FAILED, handover_started_at=None, last_error=in_handover, **lost
    )
    on_last_attempt = _(
        "The worker was lost during the last delivery attempt: a delivery that keeps "
        "crashing its worker is not tried again. Check the worker's log, then use Retry now."
    )
    failed += expired.filter(attempts__gte=settings.OUTBOX_MAX_ATTEMPTS).update(
        status=OutboxStatus.FAILED, last_error=on_last_attempt, **lost
    )
    # Overdue, not just due: the sweep that releases a row also dispatches it.
    overdue = now - timedelta(seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS)
    unknown = _(
        "The worker was lost during a delivery attempt (killed, out of memory or past its "
        "lease); the next attempt first checks whether it arrived."
    )
    released = expired.update(
        status=OutboxStatus.PENDING, next_attempt_at=overdue, last_error=unknown, **lost
    )
    if failed:
        logger.error("%s outbox row(s) failed: their worker was lost mid-delivery.", failed)
    if released:
        logger.warning("%s outbox row(s) taken back from a lost worker.", released)


def outbox_purge_delivered(*, older_than_days: int | None = None) -> int:
    """Delivered rows are kept a while for audit, then removed in batches."""
    days = older_than_days if older_than_days is not None else settings.OUTBOX_KEEP_DELIVERED_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    total = 0
    while True:
        ids = list(
            OutboxMessage.objects.filter(
                status=OutboxStatus.DELIVERED, delivered_at__lt=cutoff
            ).values_list("pk", flat=True)[:5000]
        )
        if not ids:
            return total
        total += OutboxMessage.objects.filter(pk__in=ids).delete()[0]
