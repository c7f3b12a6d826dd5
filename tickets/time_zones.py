"""Which time zone a person reads times in, and how a time is written for them.

Times are stored in UTC. Staff read them in their own zone (their profile, else
their hub's, else ``DESK_DEFAULT_TIME_ZONE``); requesters read them in their
ticket's hub zone (else ``SLA_DEFAULT_TIME_ZONE``, the calendar such tickets are
timed on). Every written time names its zone: "Mon 7 Dec 09:30 EAT".

Templates use the ``zoned`` filter (``{% load zoned %}{{ ticket.created_at|zoned }}``),
which writes a time in the zone active for the page or email; plain text and
email contexts built in Python use :func:`format_zoned`.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.utils import dateformat, timezone

from tickets.models import StaffProfile

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from catalog.models import Hub
    from tickets.models import Ticket

# Abbreviations zoneinfo gives for zones without a customary one: "+03", "-0330".
NUMERIC_ABBREVIATION = re.compile(r"^[+-]\d")


def zone_named(name: str | None, *, fallback: str = "UTC") -> zoneinfo.ZoneInfo:
    """The zone of an IANA name; a missing or unknown name reads as ``fallback``."""
    try:
        return zoneinfo.ZoneInfo(name or fallback)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(fallback)


def desk_default_zone() -> zoneinfo.ZoneInfo:
    return zone_named(settings.DESK_DEFAULT_TIME_ZONE)


def hub_zone(hub: Hub | None) -> zoneinfo.ZoneInfo:
    """The zone a hub's people (and its requesters) read times in."""
    return zone_named(hub.time_zone if hub else settings.SLA_DEFAULT_TIME_ZONE)


def ticket_zone(ticket: Ticket) -> zoneinfo.ZoneInfo:
    """The zone a ticket's requester reads times in: its hub's."""
    return hub_zone(ticket.hub)


def staff_mail_zone(ticket: Ticket) -> zoneinfo.ZoneInfo:
    """The zone of staff mail about a ticket: its assignee's own when it goes to them,
    else (the team address, every L1 agent) the ticket's hub zone.

    Mail writers put its key in the outbox payload as ``"time_zone"``; the email
    handler renders the mail in it.
    """
    if ticket.assignee and ticket.assignee.email:
        return staff_zone(ticket.assignee)
    return hub_zone(ticket.hub)


def staff_zone(user: AbstractBaseUser | AnonymousUser | None) -> zoneinfo.ZoneInfo:
    """A staff member's zone: their profile's, else their hub's, else the desk default.

    Costs no query when the profile was loaded with the user
    (``select_related("staff_profile__hub")``), one otherwise; the answer is kept
    on the user object.
    """
    if user is None or not user.is_authenticated or user.pk is None:
        return desk_default_zone()
    return profile_zone(staff_profile_of(user))


def profile_zone(profile: StaffProfile | None) -> zoneinfo.ZoneInfo:
    """The zone a profile gives: its own, else its hub's, else the desk default."""
    if profile is not None and profile.time_zone:
        return zone_named(profile.time_zone)
    if profile is not None and profile.hub is not None:
        return hub_zone(profile.hub)
    return desk_default_zone()


def staff_profile_of(user: AbstractBaseUser) -> StaffProfile | None:
    """The user's StaffProfile (with its hub) or None, read at most once per user object."""
    related = StaffProfile._meta.get_field("user").remote_field
    if related.is_cached(user):
        return cast("StaffProfile | None", related.get_cached_value(user))
    profile = StaffProfile.objects.select_related("hub").filter(user_id=user.pk).first()
    related.set_cached_value(user, profile)
    return profile


def zone_abbreviation(instant: datetime, zone: tzinfo) -> str:
    """What people call the zone at that instant: "EAT", "CEST"; else its IANA name or offset.

    zoneinfo writes zones without a customary abbreviation as a number ("+04" for
    Asia/Dubai), which reads like part of the time: those are named instead.
    """
    local = instant.astimezone(zone)
    abbreviation = local.tzname() or ""
    if abbreviation and not NUMERIC_ABBREVIATION.match(abbreviation):
        return abbreviation
    key = getattr(zone, "key", "")
    if key and not key.startswith("Etc/"):  # Etc/GMT-3 is UTC+3: its sign misleads
        return str(key)
    return utc_offset(local.utcoffset() or timedelta(0))


def utc_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def describe_zone(zone: tzinfo | None = None) -> str:
    """A zone as a form names it: "EAT (Africa/Nairobi)", or "UTC"."""
    zone = zone or timezone.get_current_timezone()
    abbreviation = zone_abbreviation(timezone.now(), zone)
    key = str(getattr(zone, "key", "") or "")
    if not key or key == abbreviation:
        return abbreviation
    return f"{abbreviation} ({key})"


def format_zoned(instant: datetime | None, zone: tzinfo | str | None = None) -> str:
    """A moment as its reader sees it, zone named: "Mon 7 Dec 09:30 EAT".

    ``zone`` defaults to the active one (the reader's, on desk pages and in staff
    mail). The year is written only when it is not the current one.
    """
    if instant is None:
        return ""
    if isinstance(zone, str):
        zone = zone_named(zone)
    zone = zone or timezone.get_current_timezone()
    if timezone.is_naive(instant):
        instant = instant.replace(tzinfo=UTC)
    local = instant.astimezone(zone)
    this_year = timezone.now().astimezone(zone).year
    pattern = "D j M H:i" if local.year == this_year else "D j M Y H:i"
    return f"{dateformat.format(local, pattern)} {zone_abbreviation(instant, zone)}"


def time_zone_choices(blank_label: str) -> list[tuple[str, str]]:
    """Every IANA zone a person may choose (sorted), after a blank choice."""
    zones = sorted(
        z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/")
    )
    return [("", blank_label), *((z, z.replace("_", " ")) for z in [*zones, "UTC"])]
