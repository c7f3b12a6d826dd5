"""What the desk is told of L2's news: a system note on the ticket, an email and a channel alert."""

from __future__ import annotations

import logging

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.alerts import alert_team
from tickets.escalation.issue_text import ticket_desk_url
from tickets.models import EscalationIssue, Message, MessageKind, Ticket
from tickets.outbox import outbox_add
from tickets.outbox_kinds import OutboxKind

logger = logging.getLogger(__name__)


def _system_note(ticket: Ticket, body: str) -> Message:
    """An internal note no staff member wrote (it came from GitHub); staff-only like any note."""
    message = Message.objects.create(ticket=ticket, kind=MessageKind.NOTE, body=body)
    # An update, not save(): the caller's instance may be older than the row, and
    # the version must still move on (an open desk form is then refused as stale).
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now(), version=F("version") + 1)
    return message


def _tell_agent(ticket: Ticket, issue: EscalationIssue, what: str, reason: str, key: str) -> None:
    """Email the assignee (or, with nobody assigned, the team) and alert the team channel."""
    from tickets.sla import staff_to_notify

    to = staff_to_notify(ticket)
    if to:
        outbox_add(
            kind=OutboxKind.EMAIL,
            key=f"email:l2_update:{ticket.pk}:{key}",
            ticket=ticket,
            payload={
                "template": "l2_update",
                "to": to,
                "ticket_id": ticket.pk,
                "message_id": None,
                "automatic": True,
                "context": {
                    "what": what,
                    "reason": reason,
                    "issue_label": issue.label,
                    "issue_url": issue.url,
                    "desk_url": ticket_desk_url(ticket),
                },
            },
        )
    else:
        logger.warning("No one to tell that L2 %s %s for %s", what, issue.label, ticket.reference)
    detail = (
        _("L2 closed %(issue)s (%(reason)s): inform the partner.")
        if what == "closed"
        else _("L2 reopened %(issue)s.")
    ) % {"issue": issue.label, "reason": reason}
    alert_team(
        ticket=ticket,
        event="l2_update",
        key=f"slack_alert:l2_update:{ticket.pk}:{key}",
        detail=detail,
    )
