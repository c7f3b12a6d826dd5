"""A closed or merged ticket is read-only on the desk and in the services; reopening remains."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests import factories
from tests.desk_helpers import deliver_all, logged_in, ticket_from
from tests.unchanged import nothing_changes
from tickets import services
from tickets.models import EventKind, MessageKind, Status, Ticket

pytestmark = pytest.mark.django_db

WRITE_FORMS = ('id="reply-form"', 'id="triage-form"', 'id="assign-me-form"',
               'id="escalate-form"', 'id="link-issue-form"', 'id="merge-form"')  # fmt: skip


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def _closed(agent, **kwargs) -> Ticket:
    ticket = ticket_from(**kwargs)
    services.ticket_change_status(ticket=ticket, status=Status.OPEN, by=agent)
    services.ticket_change_status(ticket=ticket, status=Status.CLOSED, by=agent)
    return fresh(ticket)


def _page(client, ticket: Ticket) -> str:
    return client.get(reverse("desk:ticket", args=[ticket.pk])).content.decode()


def test_a_closed_tickets_workspace_offers_only_reopen():
    agent = factories.l1_agent()
    ticket = _closed(agent)

    page = _page(logged_in(agent), ticket)

    assert "This ticket is closed — reopen it to make changes." in page
    assert 'id="reopen-form"' in page
    for form in WRITE_FORMS:
        assert form not in page, form


def test_a_merged_tickets_workspace_links_to_the_survivor_and_offers_nothing():
    agent = factories.l1_agent()
    survivor, duplicate = ticket_from(subject="Survivor"), ticket_from(subject="Duplicate")
    services.ticket_merge(ticket=duplicate, into=survivor, by=agent)

    page = _page(logged_in(agent), duplicate)

    assert "This ticket was merged into" in page
    link = reverse("desk:ticket", args=[survivor.pk])
    assert (
        f'<a href="{link}" class="alert-link" id="merged-into-link">{survivor.reference}</a>'
        in page
    )
    assert 'id="reopen-form"' not in page
    for form in WRITE_FORMS:
        assert form not in page, form


def test_a_resolved_ticket_stays_writable_for_the_customers_answer():
    agent = factories.l1_agent()
    ticket = ticket_from()
    services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, by=agent)

    page = _page(logged_in(agent), ticket)

    assert 'id="read-only-banner"' not in page
    assert 'id="reply-form"' in page
    assert 'id="triage-form"' in page


@pytest.mark.parametrize(
    ("view", "data"),
    [
        ("desk:reply", {"kind": "note", "body": "A note on a closed ticket"}),
        ("desk:reply", {"kind": "reply", "body": "A reply on a closed ticket"}),
        ("desk:triage", {"status": "closed", "impact": "", "category": ""}),
        ("desk:assign_me", {}),
        ("desk:escalate", {"technical_summary": "Needs a fix", "preview": "1"}),
        ("desk:link_issue", {"issue": "akvo/akvo-flow#12"}),
        ("desk:merge", {"into": "HD-1"}),
        ("desk:urgent", {"urgent": "1", "reason": "Board meeting"}),
        ("desk:new_partner", {"name": "Acme Health", "hub": "1"}),
        ("desk:dismiss_l2_news", {"reason": "Told them by phone"}),
    ],
)
def test_a_change_posted_to_a_closed_ticket_is_refused_and_nothing_changes(view, data):
    agent = factories.l1_agent()
    ticket = _closed(agent)
    client = logged_in(agent)

    with nothing_changes():
        response = client.post(reverse(view, args=[ticket.pk]), {"version": ticket.version, **data})

    assert response.status_code == 409
    page = response.content.decode()
    assert f"{ticket.reference} is closed — reopen it to make changes." in page
    assert 'id="reopen-form"' in page


def test_the_services_refuse_a_persons_change_to_a_closed_ticket_and_nothing_changes():
    agent, colleague = factories.l1_agent(), factories.l1_agent()
    ticket = _closed(agent)
    attempts = [
        lambda: services.ticket_assign(ticket=ticket, assignee=colleague, by=agent),
        lambda: services.ticket_add_message(
            ticket=ticket, kind=MessageKind.NOTE, body="Late note", by=agent
        ),
        lambda: services.ticket_change_fields(
            ticket=ticket, by=agent, changes={"impact": factories.impact("critical")}
        ),
        lambda: services.ticket_set_urgent(
            ticket=ticket, by=agent, urgent=True, reason="Partner called"
        ),
        lambda: services.ticket_add_partner(
            ticket=ticket, by=agent, name="Acme Health", hub=factories.hub("east-africa")
        ),
        lambda: services.ticket_link_issue(ticket=ticket, by=agent, reference="akvo/akvo-flow#3"),
    ]
    for attempt in attempts:
        with nothing_changes(), pytest.raises(services.TicketClosed, match="is closed"):
            attempt()


def test_bulk_changes_skip_a_closed_ticket_with_the_reason():
    agent, colleague = factories.l1_agent(), factories.l1_agent()
    closed, open_one = _closed(agent), ticket_from()

    result = services.tickets_bulk_update(
        selection={closed.pk: closed.version, open_one.pk: fresh(open_one).version},
        action="assign",
        assignee=colleague,
        by=agent,
    )

    assert result.changed == [open_one.reference]
    assert result.refused == [
        (closed.reference, f"{closed.reference} is closed — reopen it to make changes.")
    ]
    assert fresh(closed).assignee is None


def test_a_customer_email_to_a_closed_ticket_still_starts_a_follow_up():
    agent = factories.l1_agent()
    ticket = _closed(agent)
    with pytest.raises(ValidationError, match="follow-up"):
        services.ticket_add_message(
            ticket=ticket, kind=MessageKind.CUSTOMER, body="It is back", requester=ticket.requester
        )


def test_an_agent_reopens_a_closed_ticket_then_works_it_and_the_requester_is_told():
    agent = factories.l1_agent()
    ticket = _closed(agent, email="amina@partner.example.org")
    client = logged_in(agent)
    deliver_all()
    mail.outbox.clear()

    response = client.post(reverse("desk:reopen", args=[ticket.pk]), {"version": ticket.version})

    assert response.status_code == 302
    ticket = fresh(ticket)
    assert (ticket.status, ticket.closed_at) == (Status.OPEN, None)
    move = ticket.events.filter(kind=EventKind.STATUS).order_by("-id").first()
    assert (move.old_value, move.new_value, move.actor) == ("Closed", "Open", agent)
    deliver_all()
    assert [m.to for m in mail.outbox] == [["amina@partner.example.org"]]
    assert "is open again" in mail.outbox[0].body
    page = _page(client, ticket)
    assert 'id="read-only-banner"' not in page
    assert 'id="reply-form"' in page
    services.ticket_add_message(ticket=ticket, kind=MessageKind.NOTE, body="Back on it", by=agent)


def test_a_ticket_closed_before_triage_reopens_to_new():
    agent = factories.l1_agent()
    ticket = ticket_from()
    services.ticket_change_status(ticket=ticket, status=Status.CLOSED, by=agent)

    services.ticket_reopen(ticket=ticket, by=agent)

    assert fresh(ticket).status == Status.NEW


def test_a_merged_ticket_cannot_be_reopened_and_nothing_changes():
    agent = factories.l1_agent()
    survivor, duplicate = ticket_from(subject="Survivor"), ticket_from(subject="Duplicate")
    services.ticket_merge(ticket=duplicate, into=survivor, by=agent)
    duplicate = fresh(duplicate)
    client = logged_in(agent)

    with nothing_changes():
        response = client.post(
            reverse("desk:reopen", args=[duplicate.pk]), {"version": duplicate.version}
        )
    assert response.status_code == 409
    assert "make your changes there" in response.content.decode()


def test_an_l2_engineer_cannot_reopen_and_nothing_changes():
    ticket = _closed(factories.l1_agent())
    client = logged_in(factories.l2_engineer())
    with nothing_changes():
        response = client.post(
            reverse("desk:reopen", args=[ticket.pk]), {"version": ticket.version}
        )
    assert response.status_code == 403
    assert 'id="reopen-form"' not in _page(client, ticket)


def test_the_back_office_refuses_a_change_to_a_closed_ticket_and_nothing_changes(client):
    from tests.test_back_office import change_form_data

    agent = factories.l1_agent()
    ticket = _closed(agent)
    client.force_login(factories.support_manager(is_superuser=True))
    data = change_form_data(client, ticket, impact=factories.impact("critical").pk)

    with nothing_changes():
        response = client.post(f"/admin/tickets/ticket/{ticket.pk}/change/", data)

    assert response.status_code == 200
    assert "is closed — reopen it to make changes" in response.content.decode()
