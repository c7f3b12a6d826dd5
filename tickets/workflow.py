"""The allowed moves of a ticket's status and escalation status, in one table each."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tickets.models import EscalationStatus, Status

STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset(
        {Status.OPEN, Status.WAITING, Status.ESCALATED, Status.RESOLVED, Status.CLOSED}
    ),
    Status.OPEN: frozenset({Status.WAITING, Status.ESCALATED, Status.RESOLVED, Status.CLOSED}),
    Status.WAITING: frozenset({Status.OPEN, Status.ESCALATED, Status.RESOLVED, Status.CLOSED}),
    Status.ESCALATED: frozenset({Status.OPEN, Status.WAITING, Status.RESOLVED}),
    # A resolved ticket reopens when the customer writes back, or closes for good.
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    # Closed is final: a later message starts a follow-up ticket.
    Status.CLOSED: frozenset(),
}

# Nobody moves a ticket back to New by hand; only a reopening does, for a ticket
# resolved before anyone triaged it (tickets.services.status.reopen_status). An
# agent may also reopen a closed ticket (ticket_reopen), the only change a closed
# ticket takes; a customer's message to it still starts a follow-up ticket.
REOPEN_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.RESOLVED: frozenset({Status.NEW}),
    Status.CLOSED: frozenset({Status.NEW, Status.OPEN}),
}

ESCALATION_TRANSITIONS: dict[str, frozenset[str]] = {
    EscalationStatus.NONE: frozenset({EscalationStatus.ESCALATED}),
    EscalationStatus.ESCALATED: frozenset({EscalationStatus.L2_RESOLVED, EscalationStatus.NONE}),
    # L2 reopened the issue: the ticket is with L2 again.
    EscalationStatus.L2_RESOLVED: frozenset({EscalationStatus.ESCALATED}),
}


class InvalidTransition(ValueError):
    """A status change the workflow does not allow; the message says which moves are."""

    def __init__(self, what: str, current_label: str, wanted_label: str, allowed: list[str]):
        self.current = current_label
        self.wanted = wanted_label
        if allowed:
            message = _(
                "A ticket's %(what)s cannot change from “%(current)s” to “%(wanted)s”. "
                "From “%(current)s” it can move to: %(allowed)s."
            ) % {
                "what": what,
                "current": current_label,
                "wanted": wanted_label,
                "allowed": ", ".join(str(label) for label in allowed),
            }
        else:
            message = _("A ticket's %(what)s cannot change from “%(current)s”: it is final.") % {
                "what": what,
                "current": current_label,
            }
        super().__init__(message)


def status_transition_allowed(current: str, wanted: str) -> bool:
    return wanted in STATUS_TRANSITIONS.get(current, frozenset())


def check_status_transition(current: str, wanted: str, *, reopening: bool = False) -> None:
    if wanted not in Status.values:
        raise ValueError(_("“%(wanted)s” is not a ticket status.") % {"wanted": wanted})
    if reopening and wanted in REOPEN_TRANSITIONS.get(current, frozenset()):
        return
    if not status_transition_allowed(current, wanted):
        raise InvalidTransition(
            str(_("status")),
            str(Status(current).label),
            str(Status(wanted).label),
            [str(Status(s).label) for s in Status.values if s in STATUS_TRANSITIONS[current]],
        )


def check_escalation_transition(current: str, wanted: str) -> None:
    if wanted not in EscalationStatus.values:
        raise ValueError(_("“%(wanted)s” is not an escalation status.") % {"wanted": wanted})
    if wanted not in ESCALATION_TRANSITIONS.get(current, frozenset()):
        raise InvalidTransition(
            str(_("escalation status")),
            str(EscalationStatus(current).label),
            str(EscalationStatus(wanted).label),
            [
                str(EscalationStatus(s).label)
                for s in EscalationStatus.values
                if s in ESCALATION_TRANSITIONS[current]
            ],
        )
