"""Template helpers for what we promise requesters: the ticket's real due time, in its hub's zone.

``hub_time`` is the one place the portal and requester emails format such a time;
a general time-zone helper may replace its body without touching the templates.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import template
from django.conf import settings
from django.utils import dateformat, timezone

from catalog.models import Hub
from tickets.models import Ticket
from tickets.sla.promises import reply_due, working_time_text

register = template.Library()


@register.filter
def hub_time(value: datetime | None, hub: Hub | None) -> str:
    """An instant as the hub's people read it, with the zone named: "Tue 24 Nov 2026, 10:00 EAT"."""
    if value is None:
        return ""
    zone = ZoneInfo(hub.time_zone if hub else settings.SLA_DEFAULT_TIME_ZONE)
    return dateformat.format(timezone.localtime(value, zone), "D j M Y, H:i T")


@register.simple_tag
def ticket_reply_due(ticket: Ticket) -> datetime | None:
    """``{% ticket_reply_due ticket as due %}``: when our next answer is due, if we owe one."""
    return reply_due(ticket)


@register.filter
def working_time(days: Decimal | None) -> str:
    """A target in working days as words: "1 working day", "2 working hours"."""
    return working_time_text(days)
