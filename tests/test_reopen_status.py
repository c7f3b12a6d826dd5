"""Where a reopened ticket goes: stored when it is resolved, not read back from history labels."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import factories
from tests.desk_helpers import ticket_from
from tickets import services
from tickets.models import Status, Ticket

BEFORE = [("tickets", "0014_l2_news")]
AFTER = [("tickets", "0015_resolved_from_status_personal_canned")]


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


@pytest.mark.django_db
def test_resolving_remembers_where_triage_left_the_ticket():
    agent = factories.l1_agent()
    untriaged, triaged, waiting = ticket_from(), ticket_from(), ticket_from()
    services.ticket_change_status(ticket=triaged, status=Status.OPEN, by=agent)
    services.ticket_change_status(ticket=waiting, status=Status.WAITING, by=agent)

    for ticket in (untriaged, triaged, waiting):
        services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, by=agent)

    assert [fresh(t).resolved_from_status for t in (untriaged, triaged, waiting)] == [
        Status.NEW,
        Status.OPEN,
        Status.WAITING,
    ]
    # Closing a resolved ticket keeps where it was resolved from.
    services.ticket_change_status(ticket=untriaged, status=Status.CLOSED, by=agent)
    assert fresh(untriaged).resolved_from_status == Status.NEW


@pytest.mark.django_db
def test_a_customer_reply_reopens_by_the_stored_status_whatever_the_history_says():
    ticket = ticket_from()
    services.ticket_requester_mark_solved(ticket=ticket, requester=ticket.requester)
    # The history's labels are for people; rewriting them changes nothing.
    ticket.events.update(old_value="Nouveau")

    services.ticket_requester_reopen(ticket=ticket, requester=ticket.requester)

    assert fresh(ticket).status == Status.NEW


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_stored_status_from_each_finished_tickets_history():
    # The help desk itself moves them (no role groups after another test's flush).
    agent = None
    from_new, from_open, closed_after, reopened_then_open = (ticket_from() for _ in range(4))
    services.ticket_change_status(ticket=from_new, status=Status.RESOLVED, by=agent)
    services.ticket_change_status(ticket=from_open, status=Status.OPEN, by=agent)
    services.ticket_change_status(ticket=from_open, status=Status.RESOLVED, by=agent)
    services.ticket_change_status(ticket=closed_after, status=Status.WAITING, by=agent)
    services.ticket_change_status(ticket=closed_after, status=Status.RESOLVED, by=agent)
    services.ticket_change_status(ticket=closed_after, status=Status.CLOSED, by=agent)
    # Resolved untriaged, reopened to New by the customer, triaged, resolved again.
    services.ticket_requester_mark_solved(
        ticket=reopened_then_open, requester=reopened_then_open.requester
    )
    services.ticket_requester_reopen(
        ticket=reopened_then_open, requester=reopened_then_open.requester
    )
    services.ticket_change_status(ticket=reopened_then_open, status=Status.OPEN, by=agent)
    services.ticket_change_status(ticket=reopened_then_open, status=Status.RESOLVED, by=agent)
    still_open = ticket_from()
    try:
        _migrate(BEFORE)
        _migrate(AFTER)
        stored = dict(Ticket.objects.values_list("pk", "resolved_from_status"))
        assert stored == {
            from_new.pk: Status.NEW,
            from_open.pk: Status.OPEN,
            closed_after.pk: Status.WAITING,
            reopened_then_open.pk: Status.OPEN,
            still_open.pk: "",
        }
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
