"""The conversation after the first reply: who spoke last, who is told, the next-reply clock.

A customer message that follows our reply (by email or on the private page;
both end in :func:`tickets.services.thread.add_message`) marks the ticket
(``customer_replied_at``, shown as "customer replied 12 min ago" and read by the
*Needs reply* queue), starts the next-response clock and tells the assignee, or
the team when nobody holds the ticket, by email through the outbox; a Critical
ticket also alerts Slack. Replies in a burst are one notice: a message within
``CUSTOMER_REPLY_NOTICE_MINUTES`` of the last notice adds none. The ticket row is
locked while this runs, so two messages arriving together still make one notice,
and each notice's outbox key (ticket and first message of the burst) keeps a
retried delivery from sending it twice. Our next public reply clears the mark and
the burst and meets the clock; an internal note changes none of it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from tickets import sla
from tickets.alerts import alert_team, should_alert_slack_on_reply
from tickets.models import Message, Ticket
from tickets.outbox import outbox_add
from tickets.outbox_kinds import OutboxKind
from tickets.sla.clocks import local_time
from tickets.time_zones import format_zoned, staff_mail_zone

logger = logging.getLogger(__name__)


def customer_replied(ticket: Ticket, message: Message, *, notify: bool = True) -> None:
    """A customer message on a locked ticket, after its status moved (see the module).

    ``notify=False`` (demo data, imports) marks the ticket and runs the clock, silently.
    """
    if sla.first_response_owed(ticket):
        return  # still the first request: its own clock and queues cover it
    at = message.created_at
    ticket.customer_replied_at = at
    update = ["customer_replied_at", "updated_at"]
    sla.sla_customer_message(ticket, at)
    if notify and notice_due(ticket, at):
        ticket.customer_reply_notice_at = at
        update.append("customer_reply_notice_at")
        notify_customer_reply(ticket, message)
    ticket.save(update_fields=update)


def public_reply_sent(ticket: Ticket, message: Message) -> list[str]:
    """Our public reply: the customer no longer spoke last; the next-response round is met.

    Returns the ticket fields it changed, for the caller's save.
    """
    ticket.last_public_reply_at = message.created_at
    ticket.customer_replied_at = None
    ticket.customer_reply_notice_at = None
    sla.sla_next_response(ticket, message.created_at)
    return ["last_public_reply_at", "customer_replied_at", "customer_reply_notice_at"]


def notice_due(ticket: Ticket, at: datetime) -> bool:
    """Whether this reply is told: none was told since our last reply, or not lately."""
    window = timedelta(minutes=settings.CUSTOMER_REPLY_NOTICE_MINUTES)
    last = ticket.customer_reply_notice_at
    return last is None or at - last >= window


def notify_customer_reply(ticket: Ticket, message: Message) -> None:
    """The assignee (else the team) by email; Slack too when the ticket is watched."""
    key = f"{ticket.pk}:{message.pk}"
    due = local_time(ticket.next_response_due_at, ticket.hub)
    zone = staff_mail_zone(ticket)
    to = sla.staff_to_notify(ticket)
    if to:
        outbox_add(
            kind=OutboxKind.EMAIL,
            key=f"email:customer_replied:{key}",
            ticket=ticket,
            payload={
                "template": "customer_replied",
                "to": to,
                "ticket_id": ticket.pk,
                "message_id": message.pk,
                "automatic": True,
                "time_zone": zone.key,
                "context": {"due_at": format_zoned(ticket.next_response_due_at, zone)},
            },
        )
    else:
        logger.warning("No one to tell that the customer replied on %s", ticket.reference)
    if should_alert_slack_on_reply(ticket):
        alert_team(
            ticket=ticket,
            event="customer_replied",
            key=f"slack_alert:customer_replied:{key}",
            detail=_("Next reply due %(due)s") % {"due": due} if due else "",
        )
