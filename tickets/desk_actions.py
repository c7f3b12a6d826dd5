"""What an agent does on the desk, as services: checked triage, replies, resolve, merge, bulk.

Each function is keyword-only, typed and atomic, and builds on the single-change
services in :mod:`tickets.services`, so every change lands in the ticket's
history with its actor. What this module adds:

* **Optimistic locking.** A desk form carries the ticket's ``version`` as it
  was loaded; the change runs only if the locked row still has that version
  (every saved change moves it on, see ``Ticket.save``). Otherwise
  :class:`StaleTicket` says who changed it, and nothing is written.
* **One step, one transaction:** triage (fields, tags, assignee, status),
  a reply with its status change and canned-response field changes, resolve
  with a public reply, merge of a duplicate.
* **Bulk actions** on a queue selection, each ticket on its own, so one refusal
  does not undo the others; stale rows are skipped and reported.
* **Auto-close** of resolved tickets nobody answered, in batches, for beat.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import services
from tickets.models import (
    CannedResponse,
    Category,
    EventKind,
    Impact,
    IssueTag,
    Message,
    MessageKind,
    Product,
    Status,
    Ticket,
    TicketEvent,
)
from tickets.models.desk import PLACEHOLDER_RE
from tickets.outbox import outbox_add
from tickets.workflow import InvalidTransition

logger = logging.getLogger(__name__)

# The status a public reply leaves the ticket in unless the agent chooses another.
REPLY_THEN_STATUSES = (Status.WAITING, Status.OPEN, Status.RESOLVED)
UNCHANGED: Any = object()  # "leave this as it is", distinct from None ("set to nobody")


class StaleTicket(Exception):
    """The ticket changed after the agent loaded it; nothing was written."""

    def __init__(self, ticket: Ticket, expected: int, last_change: TicketEvent | None) -> None:
        self.ticket = ticket
        self.expected = expected
        self.current = ticket.version
        self.last_change = last_change
        who = last_change.actor_label if last_change else _("someone")
        super().__init__(
            _(
                "%(ref)s was changed by %(who)s after you opened it, so your change was not "
                "saved. The page now shows the ticket as it is; what you typed is kept below. "
                "Check, then send again."
            )
            % {"ref": ticket.reference, "who": who}
        )


def ticket_locked_at_version(*, ticket: Ticket, expected_version: int | None) -> Ticket:
    """Lock the ticket's row; refuse with StaleTicket if it moved past ``expected_version``.

    Call inside a transaction. ``None`` skips the check (callers without a form).
    """
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    check_version(ticket=locked, expected_version=expected_version)
    return locked


def check_version(*, ticket: Ticket, expected_version: int | None) -> None:
    """Raise StaleTicket if ``ticket`` (as read) is past the version a form loaded.

    Without a lock this is an early answer for a form built on an older ticket;
    the services check again under the row lock.
    """
    if expected_version is not None and ticket.version != expected_version:
        last = (
            TicketEvent.objects.filter(ticket=ticket)
            .exclude(actor_label="")
            .order_by("-id")
            .first()
        )
        raise StaleTicket(ticket, expected_version, last)


# --------------------------------------------------------------------------- #
# Triage                                                                       #
# --------------------------------------------------------------------------- #


@transaction.atomic
def ticket_triage(
    *,
    ticket: Ticket,
    by: User,
    expected_version: int | None,
    category: Category | Any | None = UNCHANGED,
    impact: Impact | Any | None = UNCHANGED,
    product: Product | Any | None = UNCHANGED,
    tags: Iterable[IssueTag] | Any = UNCHANGED,
    assignee: User | Any | None = UNCHANGED,
    status: str | Any = UNCHANGED,
) -> Ticket:
    """The triage panel in one step: category, impact, product, tags, assignee and status."""
    ticket = ticket_locked_at_version(ticket=ticket, expected_version=expected_version)
    changes = {
        name: value
        for name, value in (("category", category), ("impact", impact), ("product", product))
        if value is not UNCHANGED
    }
    if changes:
        ticket = services.ticket_change_fields(ticket=ticket, by=by, changes=changes)
    if tags is not UNCHANGED:
        ticket = services.ticket_set_issue_tags(ticket=ticket, tags=tags, by=by)
    if assignee is not UNCHANGED:
        ticket = services.ticket_assign(ticket=ticket, assignee=assignee, by=by)
    if status is not UNCHANGED and status != ticket.status:
        ticket = services.ticket_change_status(ticket=ticket, status=status, by=by)
    return ticket


@transaction.atomic
def ticket_assign_checked(
    *, ticket: Ticket, assignee: User | None, by: User, expected_version: int | None
) -> Ticket:
    ticket = ticket_locked_at_version(ticket=ticket, expected_version=expected_version)
    return services.ticket_assign(ticket=ticket, assignee=assignee, by=by)


@transaction.atomic
def ticket_escalate_checked(*, ticket: Ticket, by: User, expected_version: int | None) -> Ticket:
    """Mark the ticket as with L2 (the GitHub issue itself comes with the escalation work)."""
    ticket = ticket_locked_at_version(ticket=ticket, expected_version=expected_version)
    return services.ticket_mark_escalated(ticket=ticket, by=by)


# --------------------------------------------------------------------------- #
# Replies, notes, resolve                                                      #
# --------------------------------------------------------------------------- #


def canned_render(canned: CannedResponse, *, ticket: Ticket, agent: User) -> str:
    """The canned text with its placeholders filled in from a fixed set of plain values.

    No template engine and no attribute lookups: a placeholder is replaced only
    if it is one of :data:`CANNED_PLACEHOLDERS`; anything else stays as written.
    """
    requester = ticket.requester
    values = {
        "requester.first_name": requester.first_name or requester.email,
        "requester.name": requester.name or requester.email,
        "requester.email": requester.email,
        "ticket.reference": ticket.reference,
        "ticket.subject": ticket.subject,
        "ticket.product": ticket.product.name if ticket.product_id and ticket.product else "",
        "agent.first_name": agent.first_name or agent.get_username(),
        "agent.name": agent.get_full_name() or agent.get_username(),
    }
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), canned.body)


@transaction.atomic
def ticket_reply(
    *,
    ticket: Ticket,
    by: User,
    kind: str,
    body: str,
    expected_version: int | None,
    attachments: Sequence[File] = (),
    then_status: str = "",
    canned: CannedResponse | None = None,
) -> Message:
    """A public reply (emailed to the requester) or an internal note, from the workspace.

    A public reply leaves the ticket waiting on the customer unless ``then_status``
    says open or resolved; a canned response's status, category and impact apply
    with it. A note changes nothing but the thread.
    """
    if kind not in (MessageKind.REPLY, MessageKind.NOTE):
        raise ValidationError({"kind": _("Choose a public reply or an internal note.")})
    ticket = ticket_locked_at_version(ticket=ticket, expected_version=expected_version)
    if kind == MessageKind.REPLY:
        # A canned response that says where the ticket goes next decides it.
        then_status = (canned.set_status if canned else "") or then_status or Status.WAITING
        if then_status not in REPLY_THEN_STATUSES:
            raise ValidationError({"then_status": _("Choose what happens to the ticket next.")})
        if ticket.status == Status.CLOSED:
            raise ValidationError(
                _("%(ref)s is closed; a closed ticket takes no more replies.")
                % {"ref": ticket.reference}
            )
    message = services.ticket_add_message(
        ticket=ticket, kind=kind, body=body, by=by, attachments=attachments
    )
    if kind == MessageKind.NOTE:
        return message
    ticket.refresh_from_db()
    if canned is not None:
        changes: dict[str, Any] = {}
        if canned.set_category_id:
            changes["category"] = canned.set_category
        if canned.set_impact_id:
            changes["impact"] = canned.set_impact
        if changes:
            services.ticket_change_fields(ticket=ticket, by=by, changes=changes)
    if ticket.status != then_status:
        _move(ticket, then_status, by)
    return message


def _move(ticket: Ticket, status: str, by: User | None) -> Ticket:
    """Change status; escalated tickets may only go where the workflow lets them."""
    if status == Status.WAITING and ticket.status == Status.ESCALATED:
        # Answering the partner while L2 works on it keeps it with L2.
        return ticket
    return services.ticket_change_status(ticket=ticket, status=status, by=by)


@transaction.atomic
def ticket_resolve_with_reply(
    *,
    ticket: Ticket,
    by: User,
    body: str,
    expected_version: int | None,
    attachments: Sequence[File] = (),
) -> Message:
    """Send the answer and resolve, in one transaction: either both happen or neither."""
    return ticket_reply(
        ticket=ticket,
        by=by,
        kind=MessageKind.REPLY,
        body=body,
        attachments=attachments,
        expected_version=expected_version,
        then_status=Status.RESOLVED,
    )


# --------------------------------------------------------------------------- #
# Merge                                                                        #
# --------------------------------------------------------------------------- #

MERGE_TEMPLATE = "ticket_merged"


@transaction.atomic
def ticket_merge(
    *, ticket: Ticket, into: Ticket, by: User, expected_version: int | None = None
) -> Ticket:
    """Merge a duplicate into the ticket that survives.

    The duplicate's whole thread moves over, the duplicate points to the
    survivor (``merged_into``) and is closed, both histories and threads say so,
    and the duplicate's requester is emailed where their request went.
    """
    if ticket.pk == into.pk:
        raise ValidationError({"into": _("A ticket cannot be merged into itself.")})
    # Both rows locked, lower id first, so two merges of the same pair cannot deadlock.
    first, second = sorted([ticket.pk, into.pk])
    locked = {t.pk: t for t in Ticket.objects.select_for_update().filter(pk__in=[first, second])}
    if into.pk not in locked:
        raise ValidationError({"into": _("There is no such ticket.")})
    source = ticket_locked_at_version(ticket=ticket, expected_version=expected_version)
    target = locked[into.pk]
    if source.merged_into_id:
        raise ValidationError(
            _("%(ref)s was already merged into %(into)s.")
            % {
                "ref": source.reference,
                "into": f"{settings.TICKET_REFERENCE_PREFIX}-{source.merged_into_id}",
            }
        )
    if target.merged_into_id:
        raise ValidationError(
            {
                "into": _("%(ref)s was itself merged into %(into)s; merge into that one.")
                % {
                    "ref": target.reference,
                    "into": f"{settings.TICKET_REFERENCE_PREFIX}-{target.merged_into_id}",
                }
            }
        )
    if target.status == Status.CLOSED:
        raise ValidationError({"into": _("%(ref)s is closed.") % {"ref": target.reference}})
    if source.status == Status.CLOSED:
        raise ValidationError(_("%(ref)s is closed already.") % {"ref": source.reference})
    if source.status == Status.ESCALATED:
        raise ValidationError(
            _("%(ref)s is with L2; merge it once it is back from escalation.")
            % {"ref": source.reference}
        )

    moved = Message.objects.filter(ticket=source).update(ticket=target)
    now = timezone.now()
    Message.objects.create(
        ticket=target,
        kind=MessageKind.EVENT,
        body=_(
            "%(ref)s (%(subject)s) was merged into this ticket: %(count)s message(s) moved here."
        )
        % {"ref": source.reference, "subject": source.subject, "count": moved},
        author_user=by,
        created_at=now,
    )
    Message.objects.create(
        ticket=source,
        kind=MessageKind.EVENT,
        body=_("Merged into %(ref)s; the conversation continues there.")
        % {"ref": target.reference},
        author_user=by,
        created_at=now,
    )
    label = by.get_full_name() or by.get_username()
    TicketEvent.objects.create(
        ticket=source, actor=by, actor_label=label, kind=EventKind.MERGED,
        field="merged_into", old_value="", new_value=target.reference,
    )  # fmt: skip
    TicketEvent.objects.create(
        ticket=target, actor=by, actor_label=label, kind=EventKind.MERGED,
        field="merged_from", old_value="", new_value=source.reference,
    )  # fmt: skip
    source.merged_into = target
    source.save(update_fields=["merged_into", "updated_at"])
    source = services.ticket_change_status(ticket=source, status=Status.CLOSED, by=by)
    target.save(update_fields=["updated_at"])
    same_person = source.requester_id == target.requester_id
    link = (
        settings.SITE_URL + reverse("portal:ticket", kwargs={"token": target.token})
        if same_person
        else ""
    )
    outbox_add(
        kind="email",
        key=f"email:{MERGE_TEMPLATE}:{source.pk}",
        ticket=source,
        payload={
            "template": MERGE_TEMPLATE,
            "to": [source.requester.email],
            "ticket_id": source.pk,
            "message_id": None,
            "automatic": True,
            "context": {"surviving_reference": target.reference, "surviving_link": link},
        },
    )
    return target


# --------------------------------------------------------------------------- #
# Bulk actions                                                                 #
# --------------------------------------------------------------------------- #

BULK_ACTIONS = ("assign", "category", "impact", "add_tags", "set_tags", "resolve", "close")
BULK_MAX = 200


@dataclass
class BulkResult:
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (reference, why)


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
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": _("Choose an action.")})
    if len(selection) > BULK_MAX:
        raise ValidationError(_("Select at most %(max)s tickets at a time.") % {"max": BULK_MAX})
    result = BulkResult()
    tickets = {t.pk: t for t in Ticket.objects.filter(pk__in=list(selection))}
    for pk in sorted(selection):
        ticket = tickets.get(pk)
        if ticket is None:
            continue
        try:
            with transaction.atomic():
                before = ticket.version
                locked = ticket_locked_at_version(ticket=ticket, expected_version=selection[pk])
                after = _bulk_one(locked, action, by, assignee, category, impact, tags)
        except StaleTicket:
            result.stale.append(ticket.reference)
        except (ValidationError, InvalidTransition, ValueError) as error:
            reason = "; ".join(getattr(error, "messages", [str(error)]))
            result.refused.append((ticket.reference, reason))
        else:
            (result.changed if after.version != before else result.unchanged).append(
                ticket.reference
            )
    return result


def _bulk_one(
    ticket: Ticket,
    action: str,
    by: User,
    assignee: User | None,
    category: Category | None,
    impact: Impact | None,
    tags: Sequence[IssueTag],
) -> Ticket:
    if action == "assign":
        return services.ticket_assign(ticket=ticket, assignee=assignee, by=by)
    if action == "category":
        return services.ticket_change_fields(ticket=ticket, by=by, changes={"category": category})
    if action == "impact":
        return services.ticket_change_fields(ticket=ticket, by=by, changes={"impact": impact})
    if action == "add_tags":
        current = list(ticket.issue_tags.all())
        return services.ticket_set_issue_tags(ticket=ticket, tags=[*current, *tags], by=by)
    if action == "set_tags":
        return services.ticket_set_issue_tags(ticket=ticket, tags=tags, by=by)
    if action == "resolve":
        if ticket.status == Status.RESOLVED:
            return ticket
        return services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, by=by)
    if action == "close":
        if ticket.status == Status.CLOSED:
            return ticket
        return services.ticket_change_status(ticket=ticket, status=Status.CLOSED, by=by)
    raise ValueError(action)


# --------------------------------------------------------------------------- #
# Auto-close                                                                   #
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class AutoCloseResult:
    closed: int
    cutoff: datetime


def tickets_auto_close(
    *, now: datetime | None = None, days: int | None = None, batch_size: int = 200
) -> AutoCloseResult:
    """Close resolved tickets that heard nothing from the requester for ``days`` days.

    A requester's reply reopens a resolved ticket (``ticket_add_message``), so a
    ticket still resolved has had none since; the EXISTS below keeps that true
    even for a message that arrived by another door. Batches of ``batch_size``,
    each in its own transaction with ``SKIP LOCKED``, so two beat hosts or an
    agent at work never block it. Each close goes through the workflow service
    and is recorded in the history (by the system).
    """
    now = now or timezone.now()
    days = settings.AUTO_CLOSE_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    closed = 0
    skipped: set[int] = set()
    while True:
        with transaction.atomic():
            since_resolved = Message.objects.filter(
                ticket=OuterRef("pk"),
                kind=MessageKind.CUSTOMER,
                created_at__gt=OuterRef("resolved_at"),
            )
            batch = list(
                Ticket.objects.select_for_update(skip_locked=True)
                .filter(status=Status.RESOLVED, resolved_at__lte=cutoff)
                .exclude(pk__in=skipped)
                .exclude(Exists(since_resolved))
                .order_by("resolved_at", "id")[:batch_size]
            )
            for ticket in batch:
                try:
                    with transaction.atomic():
                        services.ticket_change_status(ticket=ticket, status=Status.CLOSED, by=None)
                        Message.objects.create(
                            ticket=ticket,
                            kind=MessageKind.EVENT,
                            body=_("Closed automatically: no reply for %(days)s days.")
                            % {"days": days},
                        )
                    closed += 1
                except (ValidationError, InvalidTransition) as error:
                    logger.warning("Auto-close skipped %s: %s", ticket.reference, error)
                    skipped.add(ticket.pk)
        if len(batch) < batch_size:
            return AutoCloseResult(closed=closed, cutoff=cutoff)
