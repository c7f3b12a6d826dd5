"""The SLA state of a ticket as the desk shows it, for badges and countdowns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy

from tickets.models import OPEN_STATUSES, Ticket


@dataclass(frozen=True)
class SlaState:
    """The first-response SLA as the desk shows it: due time, and at risk / breached / met."""

    due_at: datetime | None
    state: str  # "met", "breached", "at_risk", "running" or "" (no clock)

    @property
    def label(self) -> str:
        return str(SLA_STATE_LABELS.get(self.state, ""))


SLA_STATE_LABELS = {
    "met": gettext_lazy("Responded"),
    "breached": gettext_lazy("Breached"),
    "at_risk": gettext_lazy("At risk"),
    "running": gettext_lazy("On track"),
}


def sla_state(
    ticket: Ticket, now: datetime, *, warn_at: datetime | None, warned: bool = False
) -> SlaState:
    due = ticket.first_response_due_at
    if ticket.first_responded_at is not None:
        return SlaState(due, "met")
    if ticket.status not in OPEN_STATUSES or due is None:
        return SlaState(due, "")
    if ticket.first_response_breached_at is not None or due <= now:
        return SlaState(due, "breached")
    if warned or (warn_at is not None and warn_at <= now):
        return SlaState(due, "at_risk")
    return SlaState(due, "running")
