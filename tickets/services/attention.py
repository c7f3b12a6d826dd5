"""Calling the team's attention: the urgent flag, and acknowledging an alert."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import alerts, roles, sla
from tickets.models import EventKind, MessageKind, Ticket, TicketEvent
from tickets.services.history import actor_label, record_event
from tickets.services.locking import ticket_locked, ticket_writable
from tickets.services.thread import add_message


@transaction.atomic
def ticket_set_urgent(
    *,
    ticket: Ticket,
    by: User | None,
    urgent: bool,
    reason: str = "",
    expected_version: int | None = None,
    notify: bool = True,
) -> Ticket:
    """Mark the ticket urgent (or not any more), from the desk or Slack.

    While urgent, the ticket sorts first in every queue and its clocks run on the
    urgent SLA policy, recomputed from the arrival (and back when unset). Who and
    when go to the history, the reason (if any) to an internal note. The team is
    alerted once per urgent episode: marking an urgent ticket urgent again (from
    the desk, or Slack, or both) changes nothing and alerts nobody. ``notify=False``
    (demo data) records it without alerting.
    """
    roles.require(by, roles.TRIAGE)
    reason = " ".join((reason or "").split())[:500]
    ticket = ticket_writable(ticket, expected_version, by=by)
    if ticket.is_urgent == urgent:
        return ticket
    if urgent and not ticket.is_open:
        raise ValidationError(
            _("%(ref)s is %(status)s: reopen it before marking it urgent.")
            % {"ref": ticket.reference, "status": ticket.get_status_display().lower()}
        )
    now = timezone.now()
    ticket.is_urgent = urgent
    ticket.urgent_at = now if urgent else None
    ticket.urgent_by = by if urgent else None
    ticket.save(update_fields=["is_urgent", "urgent_at", "urgent_by", "updated_at"])
    record_event(
        ticket,
        by,
        EventKind.FIELD,
        field="is_urgent",
        old=_("no") if urgent else _("yes"),
        new=(_("yes") if urgent else _("no")) + (f": {reason}" if reason else ""),
    )
    if reason:
        template = _("Marked urgent: %(reason)s") if urgent else _("No longer urgent: %(reason)s")
        add_message(ticket, kind=MessageKind.NOTE, body=template % {"reason": reason}, by=by)
    sla.sla_recompute(ticket, now, reason="urgent" if urgent else "no longer urgent")
    if urgent and notify:
        detail = _("Marked urgent by %(agent)s") % {"agent": actor_label(by)}
        alerts.alert_team(
            ticket=ticket,
            event="flagged_urgent",
            # One alert per urgent episode, whichever door (desk, slash command, button).
            key=f"slack_alert:urgent:{ticket.pk}:{now.timestamp():.6f}",
            detail=f"{detail}: {reason}" if reason else detail,
        )
    return ticket


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
