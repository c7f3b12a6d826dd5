"""Working-day SLAs: each ticket's clocks on its hub's calendar, and the minute-by-minute check.

* ``clocks`` — calendars and targets; the clock changes the ticket services make
  inside their transaction (start, first response, pause/resume, recompute).
* ``next_response`` — the next-response clock, one round per customer message
  that follows our reply.
* ``check`` — the beat check: warnings and breaches, recorded and notified once.

Callers use ``sla.<name>``; the public names are re-exported here.
"""

from tickets.sla.check import CheckResult, sla_check, staff_to_notify, team_to_notify
from tickets.sla.clocks import (
    STOPPED_STATUSES,
    WARN_AT_SHARE,
    Targets,
    calendar_for,
    policy_for,
    sla_first_response,
    sla_plan,
    sla_recompute,
    sla_restate_first_response,
    sla_start,
    sla_status_changed,
    targets_for,
    ticket_targets,
)
from tickets.sla.next_response import (
    first_response_owed,
    sla_customer_message,
    sla_next_response,
    sla_restate_next_response,
)

__all__ = [
    "STOPPED_STATUSES",
    "WARN_AT_SHARE",
    "CheckResult",
    "Targets",
    "calendar_for",
    "first_response_owed",
    "policy_for",
    "sla_check",
    "sla_customer_message",
    "sla_first_response",
    "sla_next_response",
    "sla_plan",
    "sla_recompute",
    "sla_restate_first_response",
    "sla_restate_next_response",
    "sla_start",
    "sla_status_changed",
    "staff_to_notify",
    "targets_for",
    "team_to_notify",
    "ticket_targets",
]
