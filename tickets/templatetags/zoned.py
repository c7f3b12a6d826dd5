"""``{% load zoned %}``: times written in their reader's zone, the zone named.

``{{ ticket.created_at|zoned }}`` gives "Mon 7 Dec 09:30 EAT" in the active zone:
the reader's on desk and report pages (StaffTimeZoneMiddleware), the recipient's
in staff mail, the ticket's hub zone on the requester's page and in their mail.
``{{ value|zoned:"Africa/Nairobi" }}`` names the zone explicitly.
``{% current_zone %}`` names the active zone as forms do: "EAT (Africa/Nairobi)".
"""

from __future__ import annotations

from datetime import datetime

from django import template

from tickets.time_zones import describe_zone, format_zoned

register = template.Library()


@register.filter(expects_localtime=False)
def zoned(value: datetime | str | None, zone: str | None = None) -> str:
    if not isinstance(value, datetime):
        return value or ""
    return format_zoned(value, zone or None)


@register.simple_tag
def current_zone() -> str:
    return describe_zone()
