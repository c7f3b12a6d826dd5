"""Where the ticket stands: its status along the workflow and its escalation status.

The requester may mark their own ticket solved or reopen it from their page;
those moves are recorded under their name and need no role.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import notifications, roles, sla
from tickets.models import EscalationStatus, EventKind, Requester, Status, Ticket
from tickets.published_events import EventType, publish
from tickets.services.history import record_event
from tickets.services.locking import TicketClosed, ticket_locked, ticket_writable
from tickets.workflow import check_escalation_transition, check_status_transition

FINISHED = (Status.RESOLVED, Status.CLOSED)


def apply_status(
    ticket: Ticket,
    status: str,
    by: User | None,
    label: str | None = None,
    *,
    notify: bool = True,
    reopening: bool = False,
) -> None:
    """Move a locked ticket to ``status`` (checked against the workflow) and record it.

    For services that already checked the actor's role for the larger action.
    ``reopening`` allows the move back to New (:func:`reopen_status`).
    """
    check_status_transition(ticket.status, status, reopening=reopening)
    old = ticket.get_status_display()
    now = timezone.now()
    update = ["status", "updated_at"]
    if status in (Status.RESOLVED, Status.CLOSED) and ticket.status not in FINISHED:
        # Where triage left it, for a reopening (reopen_status).
        ticket.resolved_from_status = ticket.status
        update.append("resolved_from_status")
    finishing_urgent = ticket.is_urgent and status in FINISHED
    if finishing_urgent:
        # Done is done: an urgent ticket that is resolved or closed stops leading the
        # queues (Resolved, All); reopened, it is marked urgent again if it still is.
        ticket.is_urgent, ticket.urgent_at, ticket.urgent_by = False, None, None
        update += ["is_urgent", "urgent_at", "urgent_by"]
    if status == Status.RESOLVED:
        ticket.resolved_at = now
        update.append("resolved_at")
    elif status == Status.CLOSED:
        ticket.closed_at = now
        update.append("closed_at")
    elif ticket.status in FINISHED and status not in FINISHED:
        # Reopened: it is no longer resolved or closed.
        ticket.resolved_at = ticket.closed_at = None
        update += ["resolved_at", "closed_at"]
    previous = ticket.status
    ticket.status = status
    ticket.save(update_fields=update)
    sla.sla_status_changed(ticket, previous, status, now)
    event = record_event(
        ticket, by, EventKind.STATUS, field="status", old=old, new=Status(status).label, label=label
    )
    if finishing_urgent:
        record_event(ticket, by, EventKind.FIELD, field="is_urgent", old=_("yes"), new=_("no"))
    publish(ticket, EventType.STATUS_CHANGED, {"from": previous, "to": status})
    if notify:
        notifications.email_status_change(
            ticket=ticket,
            previous=previous,
            status=status,
            key=f"email:status:{event.pk}",
            by_requester=by is None and label is not None,
        )


@transaction.atomic
def ticket_change_status(
    *,
    ticket: Ticket,
    status: str,
    by: User | None,
    notify: bool = True,
    expected_version: int | None = None,
) -> Ticket:
    """Move the ticket along the workflow; a move the workflow forbids raises InvalidTransition.

    ``notify=False`` (demo data, imports) records the change without mailing the requester.
    """
    roles.require(by, roles.TRIAGE)
    check_not_escalating(status)
    ticket = ticket_writable(ticket, expected_version, by=by)
    if ticket.status == status:
        return ticket
    apply_status(ticket, status, by, notify=notify)
    return ticket


def reopen_status(ticket: Ticket) -> str:
    """Where a resolved (or closed) ticket goes back to: where triage left it.

    New when it was resolved straight from New (nobody triaged it: it must show
    up in *New — to triage* again), otherwise Open. Impact and assignee are kept
    either way. Read from ``resolved_from_status``, stored when it was resolved.
    """
    if ticket.resolved_from_status == Status.NEW:
        return Status.NEW
    return Status.OPEN


def check_not_escalating(status: str) -> None:
    if status == Status.ESCALATED:
        # Escalating also opens the L2 issue and sets the escalation status: its own service.
        raise ValidationError(
            {"status": _("A ticket is escalated with “Escalate to L2”, not by setting its status.")}
        )


@transaction.atomic
def ticket_mark_escalated(*, ticket: Ticket, by: User | None) -> Ticket:
    """Hand the ticket to L2: status and escalation status move together, both recorded.

    The GitHub issue that goes with it is filed or linked by ``ticket_escalate`` /
    ``ticket_link_issue``; the system calls this alone when L2 reopens an issue.
    """
    roles.require(by, roles.ESCALATE)
    ticket = ticket_writable(ticket, by=by)
    mark_escalated(ticket, by)
    return ticket


def mark_escalated(ticket: Ticket, by: User | None) -> None:
    """Both statuses on a locked ticket, for services that checked the actor's role."""
    check_status_transition(ticket.status, Status.ESCALATED)
    check_escalation_transition(ticket.escalation_status, EscalationStatus.ESCALATED)
    apply_status(ticket, Status.ESCALATED, by)
    _apply_escalation_status(ticket, EscalationStatus.ESCALATED, by)
    publish(ticket, EventType.ESCALATED)


def _apply_escalation_status(ticket: Ticket, escalation_status: str, by: User | None) -> None:
    check_escalation_transition(ticket.escalation_status, escalation_status)
    old = ticket.get_escalation_status_display()
    ticket.escalation_status = escalation_status
    ticket.save(update_fields=["escalation_status", "updated_at"])
    record_event(
        ticket,
        by,
        EventKind.ESCALATION,
        field="escalation_status",
        old=old,
        new=EscalationStatus(escalation_status).label,
    )


@transaction.atomic
def ticket_change_escalation_status(
    *, ticket: Ticket, escalation_status: str, by: User | None
) -> Ticket:
    roles.require(by, roles.ESCALATE)
    ticket = ticket_writable(ticket, by=by)
    if ticket.escalation_status == escalation_status:
        return ticket
    _apply_escalation_status(ticket, escalation_status, by)
    return ticket


@transaction.atomic
def ticket_reopen(*, ticket: Ticket, by: User, expected_version: int | None = None) -> Ticket:
    """An agent reopens a resolved or closed ticket: back to where triage left it (idempotent).

    The one change a closed ticket takes from a person (everything else waits for
    this). A merged ticket stays closed: its conversation lives on in the ticket
    it was merged into. The requester is told it was reopened.
    """
    roles.require(by, roles.TRIAGE)
    ticket = ticket_locked(ticket, expected_version)
    if ticket.merged_into_id:
        raise TicketClosed(ticket)
    if ticket.status not in FINISHED:
        return ticket
    apply_status(ticket, reopen_status(ticket), by, reopening=True)
    return ticket


@transaction.atomic
def ticket_requester_mark_solved(*, ticket: Ticket, requester: Requester) -> Ticket:
    """The requester says their problem is solved: the ticket moves to resolved (idempotent).

    Goes through the workflow like any other status change and is recorded in
    the history under the requester's name.
    """
    ticket = ticket_locked(ticket)
    _check_requester(ticket, requester)
    if ticket.status == Status.RESOLVED:
        return ticket
    if ticket.status == Status.CLOSED:
        raise ValidationError(
            _("%(ref)s is already closed.") % {"ref": ticket.reference}, code="closed"
        )
    apply_status(ticket, Status.RESOLVED, None, label=str(requester))
    return ticket


@transaction.atomic
def ticket_requester_reopen(*, ticket: Ticket, requester: Requester) -> Ticket:
    """The requester says the problem is back: a resolved ticket opens again (idempotent).

    It goes back to where triage left it (:func:`reopen_status`).

    A closed ticket stays closed (the workflow makes it final); the requester is
    told to start a follow-up request instead.
    """
    ticket = ticket_locked(ticket)
    _check_requester(ticket, requester)
    if ticket.is_open:
        return ticket
    if ticket.status == Status.CLOSED:
        raise ValidationError(
            _("%(ref)s is closed; please send a new request that mentions it.")
            % {"ref": ticket.reference},
            code="closed",
        )
    # The page itself says it is reopened: no email (README, "Email").
    apply_status(
        ticket, reopen_status(ticket), None, label=str(requester), notify=False, reopening=True
    )
    return ticket


def _check_requester(ticket: Ticket, requester: Requester) -> None:
    if ticket.requester_id != requester.pk:
        raise ValidationError(_("Only the requester can do this."), code="not_requester")
