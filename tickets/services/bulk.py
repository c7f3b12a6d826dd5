"""Many tickets at once: bulk actions on a queue selection, and auto-close for beat.

Each ticket changes in its own transaction, so one refusal does not undo the
others; a ticket changed since the list was loaded is skipped and reported.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Category, Impact, IssueTag
from tickets import roles
from tickets.models import Message, MessageKind, Status, Ticket
from tickets.services.assign import assign
from tickets.services.locking import StaleTicket, ticket_writable
from tickets.services.status import apply_status
from tickets.services.triage import change_fields, set_issue_tags
from tickets.workflow import InvalidTransition

logger = logging.getLogger(__name__)

BULK_ACTIONS = ("assign", "category", "impact", "add_tags", "set_tags", "resolve", "close")
BULK_MAX = 200


@dataclass
class BulkResult:
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (reference, why)


@dataclass(frozen=True)
class BulkChange:
    """One action and its value, as the queue's bulk form chose them."""

    action: str
    assignee: User | None = None
    category: Category | None = None
    impact: Impact | None = None
    tags: Sequence[IssueTag] = ()


def tickets_bulk_update(
    *,
    selection: Mapping[int, int],
    action: str,
    by: User,
    assignee: User | None = None,
    category: Category | None = None,
    impact: Impact | None = None,
    tags: Sequence[IssueTag] = (),
) -> BulkResult:
    """Apply one action to the selected tickets ({id: version loaded}), each in its own step.

    A ticket changed since the list was loaded is left alone and reported as
    stale; one the workflow refuses (closing an escalated ticket) is reported
    with the reason. The others change, each with its history.
    """
    roles.require(by, roles.TRIAGE)
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": _("Choose an action.")})
    if len(selection) > BULK_MAX:
        raise ValidationError(_("Select at most %(max)s tickets at a time.") % {"max": BULK_MAX})
    change = BulkChange(action, assignee, category, impact, tags)
    result = BulkResult()
    tickets = {t.pk: t for t in Ticket.objects.filter(pk__in=list(selection))}
    for pk in sorted(selection):
        ticket = tickets.get(pk)
        if ticket is None:
            continue
        try:
            with transaction.atomic():
                before = ticket.version
                locked = ticket_writable(ticket, selection[pk], by=by)
                _bulk_one(locked, change, by)
        except StaleTicket:
            result.stale.append(ticket.reference)
        except (ValidationError, InvalidTransition, ValueError) as error:
            reason = "; ".join(getattr(error, "messages", [str(error)]))
            result.refused.append((ticket.reference, reason))
        else:
            done = result.changed if locked.version != before else result.unchanged
            done.append(ticket.reference)
    return result


def _bulk_one(ticket: Ticket, change: BulkChange, by: User) -> None:
    action = change.action
    if action == "assign":
        assign(ticket, change.assignee, by)
    elif action in ("category", "impact"):
        change_fields(ticket, by, {action: getattr(change, action)})
    elif action == "add_tags":
        set_issue_tags(ticket, [*ticket.issue_tags.all(), *change.tags], by)
    elif action == "set_tags":
        set_issue_tags(ticket, change.tags, by)
    elif action in ("resolve", "close"):
        status = Status.RESOLVED if action == "resolve" else Status.CLOSED
        if ticket.status != status:
            apply_status(ticket, status, by)
    else:
        raise ValueError(action)


@dataclass(frozen=True)
class AutoCloseResult:
    closed: int
    cutoff: datetime


def tickets_auto_close(
    *, now: datetime | None = None, days: int | None = None, batch_size: int = 200
) -> AutoCloseResult:
    """Close resolved tickets that heard nothing from the requester for ``days`` days.

    A requester's reply reopens a resolved ticket, so a ticket still resolved has
    had none since; the EXISTS below keeps that true even for a message that
    arrived by another door. Batches of ``batch_size``, each in its own
    transaction with ``SKIP LOCKED``, so two beat hosts or an agent at work never
    block it. Each close goes through the workflow and is recorded in the history
    (by the system).
    """
    now = now or timezone.now()
    days = settings.AUTO_CLOSE_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    closed = 0
    skipped: set[int] = set()
    while True:
        with transaction.atomic():
            batch = _auto_close_batch(cutoff, skipped, batch_size)
            for ticket in batch:
                if _auto_close_one(ticket, days):
                    closed += 1
                else:
                    skipped.add(ticket.pk)
        if len(batch) < batch_size:
            return AutoCloseResult(closed=closed, cutoff=cutoff)


def _auto_close_batch(cutoff: datetime, skipped: set[int], batch_size: int) -> list[Ticket]:
    since_resolved = Message.objects.filter(
        ticket=OuterRef("pk"),
        kind=MessageKind.CUSTOMER,
        created_at__gt=OuterRef("resolved_at"),
    )
    return list(
        Ticket.objects.select_for_update(skip_locked=True)
        .filter(status=Status.RESOLVED, resolved_at__lte=cutoff)
        .exclude(pk__in=skipped)
        .exclude(Exists(since_resolved))
        .order_by("resolved_at", "id")[:batch_size]
    )


def _auto_close_one(ticket: Ticket, days: int) -> bool:
    try:
        with transaction.atomic():
            apply_status(ticket, Status.CLOSED, None)
            Message.objects.create(
                ticket=ticket,
                kind=MessageKind.EVENT,
                body=_("Closed automatically: no reply for %(days)s days.") % {"days": days},
            )
    except (ValidationError, InvalidTransition) as error:
        logger.warning("Auto-close skipped %s: %s", ticket.reference, error)
        return False
    return True
