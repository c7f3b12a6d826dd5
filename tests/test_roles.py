"""Roles are enforced by the ticket services, so every door (desk, Slack, back office,
a future API) refuses the same things, and a refusal changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from tests import factories
from tests.test_back_office import change_form_data, log_ticket
from tickets import roles, services
from tickets.models import (
    CannedResponse,
    Channel,
    Message,
    MessageKind,
    OutboxMessage,
    Status,
    Ticket,
    TicketEvent,
)

pytestmark = pytest.mark.django_db


def new_ticket() -> Ticket:
    return services.ticket_create(
        requester_email="kofi@partner.example.org", subject="Export fails", channel=Channel.WEB
    )


def snapshot(ticket: Ticket) -> tuple:
    ticket = Ticket.objects.get(pk=ticket.pk)
    return (
        ticket.version,
        ticket.status,
        ticket.assignee_id,
        ticket.category_id,
        ticket.impact_id,
        Message.objects.filter(ticket=ticket).count(),
        TicketEvent.objects.filter(ticket=ticket).count(),
        OutboxMessage.objects.count(),
    )


def agent_with(*codenames: str):
    """A staff member holding exactly these ticket permissions (no group)."""
    user = factories.UserFactory()
    for code in codenames:
        app_label, codename = code.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return type(user).objects.get(pk=user.pk)  # fresh: no cached permissions


@pytest.mark.parametrize(
    "action",
    [
        lambda t, by: services.ticket_reply(ticket=t, by=by, kind=MessageKind.REPLY, body="Hi"),
        lambda t, by: services.ticket_assign(ticket=t, assignee=by, by=by),
        lambda t, by: services.ticket_change_status(ticket=t, status=Status.OPEN, by=by),
        lambda t, by: services.ticket_triage(ticket=t, by=by, impact=factories.impact("critical")),
        lambda t, by: services.ticket_change_fields(
            ticket=t, by=by, changes={"category": factories.category("question")}
        ),
        lambda t, by: services.ticket_escalate(ticket=t, by=by, technical_summary="Needs a fix"),
        lambda t, by: services.ticket_link_issue(ticket=t, by=by, reference="akvo/flow#12"),
        lambda t, by: services.ticket_merge(ticket=t, into=new_ticket(), by=by),
    ],
    ids=["reply", "assign", "status", "triage", "fields", "escalate", "link", "merge"],
)
def test_an_l2_engineer_is_refused_what_l1_does_and_nothing_changes(action):
    ticket = new_ticket()
    engineer = factories.l2_engineer()
    before = snapshot(ticket)
    with pytest.raises(roles.ActionNotAllowed):
        action(ticket, engineer)
    assert snapshot(ticket)[:7] == before[:7]


def test_an_l2_engineer_may_add_an_internal_note_through_the_same_service():
    ticket = new_ticket()
    note = services.ticket_reply(
        ticket=ticket, by=factories.l2_engineer(), kind=MessageKind.NOTE, body="Looking at logs"
    )
    assert note.kind == MessageKind.NOTE


def test_a_canned_response_that_triages_needs_the_triage_role_even_to_reply():
    ticket = new_ticket()
    replier = agent_with(roles.VIEW, roles.REPLY, roles.NOTE)
    canned = CannedResponse.objects.create(
        title="Known bug", body="We know.", set_impact=factories.impact("critical")
    )
    before = snapshot(ticket)
    with pytest.raises(roles.ActionNotAllowed, match="triage"):
        services.ticket_reply(
            ticket=ticket, by=replier, kind=MessageKind.REPLY, body="We know.", canned=canned
        )
    assert snapshot(ticket) == before
    # Without the canned field changes the same person may reply.
    services.ticket_reply(ticket=ticket, by=replier, kind=MessageKind.REPLY, body="We know.")
    assert Ticket.objects.get(pk=ticket.pk).status == Status.WAITING


def test_logging_a_ticket_for_a_client_needs_its_role():
    with pytest.raises(roles.ActionNotAllowed):
        services.ticket_create(
            requester_email="ama@partner.example.org",
            subject="Phoned in",
            channel=Channel.PHONE,
            by=factories.l2_engineer(),
        )
    assert not Ticket.objects.filter(subject="Phoned in").exists()


def test_an_inactive_agent_may_do_nothing_even_with_a_role():
    ticket = new_ticket()
    gone = factories.l1_agent(is_active=False)
    with pytest.raises(roles.ActionNotAllowed):
        services.ticket_assign(ticket=ticket, assignee=None, by=gone)


def test_the_desk_shows_the_services_refusal_as_a_403_with_its_reason(client):
    ticket = new_ticket()
    replier = agent_with(roles.VIEW, roles.REPLY, roles.NOTE)
    canned = CannedResponse.objects.create(
        title="Known bug", body="We know.", set_impact=factories.impact("critical")
    )
    client.force_login(replier)
    before = snapshot(ticket)
    response = client.post(
        f"/desk/tickets/{ticket.pk}/reply/",
        {
            "kind": MessageKind.REPLY,
            "body": "We know.",
            "version": Ticket.objects.get(pk=ticket.pk).version,
            "canned": canned.pk,
            "then_status": Status.WAITING,
        },
    )
    assert response.status_code == 403
    assert "triage" in response.content.decode()
    assert snapshot(ticket) == before


def test_a_stale_back_office_save_is_refused_and_changes_nothing(client):
    ticket = log_ticket()
    manager = factories.support_manager(is_superuser=True)
    client.force_login(manager)
    data = change_form_data(client, ticket, impact=factories.impact("critical").pk)
    # Another agent triages while the form is open.
    services.ticket_assign(ticket=ticket, assignee=factories.l1_agent(), by=factories.l1_agent())
    before = snapshot(ticket)

    response = client.post(f"/admin/tickets/ticket/{ticket.pk}/change/", data)

    assert response.status_code == 200
    assert "after you opened it" in str(response.context["adminform"].form.non_field_errors())
    assert snapshot(ticket) == before
