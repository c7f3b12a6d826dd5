"""The ticket's history: who did what, from what to what. Every service records through here.

A change made through an integration is its person's *via* that integration: the
API runs a token's writes inside :func:`acting_via`, and every row recorded there
names both ("Amina Odhiambo via API token “Flow sync”"), so the history never
passes a script's work off as a person's own. Services keep taking ``by=`` as the
person whose role allows the change.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from tickets.models import Ticket, TicketEvent

LABEL_MAX_LENGTH = 200  # TicketEvent.actor_label
_via: ContextVar[str] = ContextVar("tickets_history_via", default="")


@contextmanager
def acting_via(via: str) -> Iterator[None]:
    """Within this block, history rows say their actor acted *via* ``via`` (e.g. an API
    token, named); an empty ``via`` changes nothing."""
    reset = _via.set(via)
    try:
        yield
    finally:
        _via.reset(reset)


def acting_through() -> str:
    """What the current changes are made through (:func:`acting_via`), or empty."""
    return _via.get()


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
    who = label if label is not None else actor_label(by)
    via = _via.get()
    if via:
        who = _("%(who)s via %(via)s") % {"who": who, "via": via}
    return TicketEvent.objects.create(
        ticket=ticket,
        actor=by,
        actor_label=who[:LABEL_MAX_LENGTH],
        kind=kind,
        field=field,
        old_value=display_value(old),
        new_value=display_value(new),
    )
