"""Who works on the ticket."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tickets import roles
from tickets.models import EventKind, Ticket
from tickets.services.history import actor_label, record_event
from tickets.services.locking import ticket_writable


@transaction.atomic
def ticket_assign(
    *,
    ticket: Ticket,
    assignee: User | None,
    by: User | None,
    expected_version: int | None = None,
) -> Ticket:
    """Give the ticket to an agent (or to nobody); idempotent."""
    roles.require(by, roles.TRIAGE)
    ticket = ticket_writable(ticket, expected_version, by=by)
    assign(ticket, assignee, by)
    return ticket


def assign(ticket: Ticket, assignee: User | None, by: User | None) -> None:
    """The assignment on a locked ticket, for services that checked the actor's role."""
    if assignee is not None and not (assignee.is_staff and assignee.is_active):
        # An inactive account would hold the ticket where nobody sees it.
        raise ValidationError(
            {"assignee": _("Tickets can only be assigned to active staff accounts.")}
        )
    if ticket.assignee_id == (assignee.pk if assignee else None):
        return
    old = ticket.assignee
    ticket.assignee = assignee
    ticket.save(update_fields=["assignee", "updated_at"])
    record_event(
        ticket,
        by,
        EventKind.ASSIGNEE,
        field="assignee",
        old=actor_label(old) if old else "",
        new=actor_label(assignee) if assignee else "",
    )
