"""Template helpers for what we promise requesters: the ticket's real due time, in its hub's zone.

``hub_time`` is the one place the portal and requester emails format such a time.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django import template

from catalog.models import Hub
from tickets.models import Ticket
from tickets.sla.promises import reply_due, working_time_text
from tickets.time_zones import format_zoned, hub_zone

register = template.Library()


@register.filter
def hub_time(value: datetime | None, hub: Hub | None) -> str:
    """An instant as the hub's people read it, with the zone named: "Tue 24 Nov 10:00 EAT"."""
    return format_zoned(value, hub_zone(hub))


@register.simple_tag
def ticket_reply_due(ticket: Ticket) -> datetime | None:
    """``{% ticket_reply_due ticket as due %}``: when our next answer is due, if we owe one."""
    return reply_due(ticket)


@register.filter
def working_time(days: Decimal | None) -> str:
    """A target in working days as words: "1 working day", "2 working hours"."""
    return working_time_text(days)
