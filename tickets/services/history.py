"""The ticket's history: who did what, from what to what. Every service records through here."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from tickets.models import Ticket, TicketEvent


def actor_label(by: User | None) -> str:
    if by is None:
        return str(_("System"))
    return by.get_full_name() or by.get_username()


def display_value(value: Any) -> str:
    if value is None or value == "" or value == {}:
        return ""
    if isinstance(value, dict):
        # Sorted: PostgreSQL's jsonb keeps no key order, and history must read the same.
        return ", ".join(f"{k}: {v}" for k, v in sorted(value.items()))
    return str(value)


def record_event(
    ticket: Ticket,
    by: User | None,
    kind: str,
    *,
    field: str = "",
    old: Any = None,
    new: Any = None,
    label: str | None = None,
) -> TicketEvent:
    """One history row; ``label`` names an actor who is not a user (the requester)."""
    return TicketEvent.objects.create(
        ticket=ticket,
        actor=by,
        actor_label=label if label is not None else actor_label(by),
        kind=kind,
        field=field,
        old_value=display_value(old),
        new_value=display_value(new),
    )
