"""Calling the team's attention: an urgent flag with its reason, and acknowledging an alert."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tickets import alerts, roles
from tickets.models import EventKind, Message, MessageKind, Ticket, TicketEvent
from tickets.services.history import actor_label, record_event
from tickets.services.locking import ticket_locked, ticket_writable
from tickets.services.thread import add_message


@transaction.atomic
def ticket_flag_urgent(*, ticket: Ticket, by: User, reason: str) -> Message:
    """An agent says the ticket needs the team now: a note with the reason, history, an alert.

    No field changes (urgency is the impact's job); the flag is the record of who
    raised it and why, and each flag alerts the team once. Anyone who may add a
    note may flag.
    """
    roles.require(by, roles.NOTE)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why the ticket is urgent.")})
    ticket = ticket_writable(ticket, by=by)
    note = add_message(
        ticket,
        kind=MessageKind.NOTE,
        body=_("Flagged urgent: %(reason)s") % {"reason": reason},
        by=by,
    )
    record_event(ticket, by, EventKind.FIELD, field="urgent", new=reason[:500])
    alerts.alert_team(
        ticket=ticket,
        event="flagged_urgent",
        key=f"slack_alert:flagged_urgent:{ticket.pk}:{note.pk}",
        detail=_("Flagged urgent by %(agent)s: %(reason)s")
        % {"agent": actor_label(by), "reason": reason},
    )
    return note


@transaction.atomic
def ticket_acknowledge(*, ticket: Ticket, by: User, via: str) -> bool:
    """An agent says they have seen an alert about the ticket; recorded once per agent.

    Returns False when this agent had already acknowledged it.
    """
    roles.require(by, roles.VIEW)
    ticket = ticket_locked(ticket)
    if TicketEvent.objects.filter(ticket=ticket, actor=by, field="acknowledged").exists():
        return False
    record_event(ticket, by, EventKind.FIELD, field="acknowledged", new=via)
    ticket.save(update_fields=["updated_at"])
    return True
