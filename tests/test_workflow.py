"""The ticket workflow: which status moves support allows, and the clear error for the rest."""

import pytest

from tickets.models import EscalationStatus, Status
from tickets.workflow import (
    STATUS_TRANSITIONS,
    InvalidTransition,
    check_escalation_transition,
    check_status_transition,
)

ALLOWED = [
    (Status.NEW, Status.OPEN),
    (Status.NEW, Status.RESOLVED),
    (Status.OPEN, Status.WAITING),
    (Status.OPEN, Status.ESCALATED),
    (Status.WAITING, Status.OPEN),
    (Status.ESCALATED, Status.OPEN),
    (Status.RESOLVED, Status.OPEN),
    (Status.RESOLVED, Status.CLOSED),
]
REFUSED = [
    (Status.CLOSED, Status.OPEN),
    (Status.RESOLVED, Status.WAITING),
    (Status.RESOLVED, Status.ESCALATED),
    (Status.ESCALATED, Status.CLOSED),
    (Status.OPEN, Status.NEW),
    (Status.WAITING, Status.NEW),
]


@pytest.mark.parametrize(("current", "wanted"), ALLOWED)
def test_support_can_make_the_usual_moves(current, wanted):
    check_status_transition(current, wanted)


@pytest.mark.parametrize(("current", "wanted"), REFUSED)
def test_moves_outside_the_workflow_are_refused(current, wanted):
    with pytest.raises(InvalidTransition):
        check_status_transition(current, wanted)


def test_the_refusal_names_the_moves_that_are_allowed():
    with pytest.raises(InvalidTransition) as refused:
        check_status_transition(Status.RESOLVED, Status.WAITING)
    message = str(refused.value)
    assert "“Resolved”" in message
    assert "“Waiting on customer”" in message
    assert "Open, Closed" in message


def test_a_closed_ticket_is_final():
    with pytest.raises(InvalidTransition, match="it is final"):
        check_status_transition(Status.CLOSED, Status.OPEN)


def test_an_unknown_status_is_a_clear_error():
    with pytest.raises(ValueError, match="“archived” is not a ticket status"):
        check_status_transition(Status.OPEN, "archived")


def test_nothing_can_move_back_to_new():
    assert all(Status.NEW not in targets for targets in STATUS_TRANSITIONS.values())


def test_only_a_reopening_moves_a_resolved_ticket_back_to_new():
    with pytest.raises(InvalidTransition):
        check_status_transition(Status.RESOLVED, Status.NEW)
    check_status_transition(Status.RESOLVED, Status.NEW, reopening=True)
    with pytest.raises(InvalidTransition):
        check_status_transition(Status.OPEN, Status.NEW, reopening=True)


def test_every_status_has_a_row_in_the_table():
    assert set(STATUS_TRANSITIONS) == set(Status.values)


def test_escalation_goes_to_l2_and_back():
    check_escalation_transition(EscalationStatus.NONE, EscalationStatus.ESCALATED)
    check_escalation_transition(EscalationStatus.ESCALATED, EscalationStatus.L2_RESOLVED)
    check_escalation_transition(EscalationStatus.L2_RESOLVED, EscalationStatus.ESCALATED)
    with pytest.raises(InvalidTransition):
        check_escalation_transition(EscalationStatus.NONE, EscalationStatus.L2_RESOLVED)
