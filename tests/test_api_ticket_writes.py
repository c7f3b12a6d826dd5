"""The staff side of the tickets API, written: replies, notes, triage, assignment, status and
escalation through the desk's services, with the owner's role and the ticket's version."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail

from catalog.models import Impact
from tests import factories
from tests.api_helpers import api_token, bearer
from tests.desk_helpers import deliver_all, ticket_from
from tickets import roles, services
from tickets.models import (
    EscalationStatus,
    Message,
    MessageKind,
    OutboxMessage,
    Status,
    Ticket,
    TicketEvent,
)
from tickets.outbox_kinds import OutboxKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer():
    return bearer(api_token(("tickets:read", "tickets:write")))


@pytest.fixture
def ticket():
    return ticket_from(subject="Data export stops at 50%")


def version_of(ticket: Ticket) -> str:
    return f'"{Ticket.objects.get(pk=ticket.pk).version}"'


def snapshot(ticket: Ticket) -> tuple:
    fresh = Ticket.objects.get(pk=ticket.pk)
    return (
        fresh.version,
        fresh.status,
        fresh.assignee_id,
        fresh.impact_id,
        Message.objects.filter(ticket=ticket).count(),
        TicketEvent.objects.filter(ticket=ticket).count(),
        OutboxMessage.objects.count(),
    )


def test_an_agent_replies_through_the_api_and_the_ticket_waits_on_the_customer(
    client, writer, ticket
):
    response = client.post(
        f"/api/v1/tickets/{ticket.reference}/replies",
        {"body": "Please try the export again now."},
        content_type="application/json",
        headers={**writer, "If-Match": version_of(ticket)},
    )

    assert response.status_code == 201
    assert response.json()["kind"] == "reply"
    assert response["ETag"] == version_of(ticket)
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.status == Status.WAITING
    assert fresh.first_responded_at is not None


def test_a_reply_with_a_stale_if_match_gets_412_and_nothing_is_written(client, writer, ticket):
    stale = version_of(ticket)
    Ticket.objects.get(pk=ticket.pk).save()  # a colleague changed it meanwhile
    before = snapshot(ticket)

    response = client.post(
        f"/api/v1/tickets/{ticket.reference}/replies",
        {"body": "Please try again."},
        content_type="application/json",
        headers={**writer, "If-Match": stale},
    )

    assert response.status_code == 412
    assert response["Content-Type"] == "application/problem+json"
    assert response["ETag"] == version_of(ticket)
    assert snapshot(ticket) == before


def test_a_write_without_if_match_is_428_and_changes_nothing(client, writer, ticket):
    before = snapshot(ticket)

    response = client.post(
        f"/api/v1/tickets/{ticket.reference}/notes",
        {"body": "Looks like the gzip bug."},
        content_type="application/json",
        headers=writer,
    )

    assert response.status_code == 428
    assert snapshot(ticket) == before


def test_a_read_token_cannot_reply(client, ticket):
    reader = bearer(api_token(("tickets:read",)))
    before = snapshot(ticket)

    response = client.post(
        f"/api/v1/tickets/{ticket.reference}/replies",
        {"body": "Hello"},
        content_type="application/json",
        headers={**reader, "If-Match": version_of(ticket)},
    )

    assert response.status_code == 403
    assert snapshot(ticket) == before


def test_a_note_is_internal_and_shows_in_the_thread_for_staff(client, writer, ticket):
    response = client.post(
        f"/api/v1/tickets/{ticket.reference}/notes",
        {"body": "Customer is on version 2.3."},
        content_type="application/json",
        headers={**writer, "If-Match": "*"},
    )

    assert response.status_code == 201
    note = Message.objects.get(pk=response.json()["id"])
    assert note.kind == MessageKind.NOTE
    assert note.author_user == User.objects.get(username="flow-bot")
    thread = client.get(f"/api/v1/tickets/{ticket.reference}", headers=writer).json()
    assert thread["messages"][-1]["body"] == "Customer is on version 2.3."


def test_triage_assign_and_open_in_one_patch_recorded_in_the_history(client, writer, ticket):
    agent = factories.l1_agent(username="wanjiru")

    response = client.patch(
        f"/api/v1/tickets/{ticket.reference}",
        {"impact": "critical", "tags": ["data-export"], "assignee": agent.pk, "status": "open"},
        content_type="application/json",
        headers={**writer, "If-Match": version_of(ticket)},
    )

    assert response.status_code == 200, response.json()
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.impact.slug, fresh.assignee, fresh.status) == ("critical", agent, Status.OPEN)
    assert [t.slug for t in fresh.issue_tags.all()] == ["data-export"]
    assert response.json()["impact"] == "critical"
    assert response["ETag"] == f'"{fresh.version}"'
    kinds = set(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert {"field", "tags", "assignee", "status"} <= kinds


def test_assigning_to_someone_not_on_staff_is_422_and_changes_nothing(client, writer, ticket):
    outsider = factories.UserFactory(username="partner-person", is_staff=False)
    before = snapshot(ticket)

    response = client.patch(
        f"/api/v1/tickets/{ticket.reference}",
        {"assignee": outsider.pk, "impact": "critical"},
        content_type="application/json",
        headers={**writer, "If-Match": version_of(ticket)},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "assignee"
    assert snapshot(ticket) == before


def test_an_unknown_impact_is_422_naming_the_field(client, writer, ticket):
    response = client.patch(
        f"/api/v1/tickets/{ticket.reference}",
        {"impact": "apocalyptic"},
        content_type="application/json",
        headers={**writer, "If-Match": version_of(ticket)},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "impact"


def test_a_retired_impact_cannot_be_chosen_and_the_ticket_keeps_its_own(client, writer, ticket):
    retired = Impact.objects.get(slug="critical")
    retired.is_active = False
    retired.save()
    before = snapshot(ticket)

    response = client.patch(
        f"/api/v1/tickets/{ticket.reference}",
        {"impact": "critical"},
        content_type="application/json",
        headers={**writer, "If-Match": version_of(ticket)},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "impact"
    assert snapshot(ticket) == before


def test_a_move_the_workflow_forbids_is_409_saying_which_moves_are_allowed(client, writer, ticket):
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.RESOLVED)
    before = snapshot(ticket)

    response = client.patch(
        f"/api/v1/tickets/{ticket.reference}",
        {"status": "waiting"},
        content_type="application/json",
        headers={**writer, "If-Match": version_of(ticket)},
    )

    assert response.status_code == 409
    assert "can move to" in response.json()["detail"]
    assert snapshot(ticket) == before


def test_status_escalated_is_refused_pointing_to_the_escalation(client, writer, ticket):
    response = client.patch(
        f"/api/v1/tickets/{ticket.reference}",
        {"status": "escalated"},
        content_type="application/json",
        headers={**writer, "If-Match": version_of(ticket)},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "status"


def test_escalating_through_the_api_writes_the_github_outbox_row_with_labels(
    client, writer, ticket
):
    response = client.post(
        f"/api/v1/tickets/{ticket.reference}/escalation",
        {"technical_summary": "Export job dies at 50% on surveys over 10k rows."},
        content_type="application/json",
        headers={**writer, "If-Match": version_of(ticket)},
    )

    assert response.status_code == 201, response.json()
    row = OutboxMessage.objects.get(kind=OutboxKind.GITHUB_ISSUE)
    assert row.ticket_id == ticket.pk
    assert row.payload["repository"] == response.json()["repository"]
    assert row.payload["labels"]
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.status, fresh.escalation_status) == (Status.ESCALATED, EscalationStatus.ESCALATED)
    assert response["ETag"] == f'"{fresh.version}"'


def test_an_owner_whose_role_cannot_escalate_gets_403_even_with_the_scope(client, ticket):
    # View, note and triage, but not escalate: the service refuses, whatever the token says.
    owner = factories.UserFactory(username="triage-only")
    for code in (roles.VIEW, roles.NOTE, roles.TRIAGE):
        app_label, codename = code.split(".")
        owner.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    token = bearer(api_token(("tickets:write",), owner=owner))
    before = snapshot(ticket)

    response = client.post(
        f"/api/v1/tickets/{ticket.reference}/escalation",
        {"technical_summary": "Needs a fix."},
        content_type="application/json",
        headers={**token, "If-Match": version_of(ticket)},
    )

    assert response.status_code == 403
    assert "cannot escalate" in response.json()["detail"]
    assert snapshot(ticket) == before


def test_a_write_token_stops_writing_when_its_owner_loses_the_desk_role(client, ticket):
    owner = factories.l1_agent(username="former-agent")
    token = bearer(api_token(("tickets:write",), owner=owner))
    owner.groups.clear()

    response = client.post(
        f"/api/v1/tickets/{ticket.reference}/notes",
        {"body": "Still here?"},
        content_type="application/json",
        headers={**token, "If-Match": "*"},
    )

    assert response.status_code == 403


def test_an_l2_engineers_tool_adds_a_note_but_may_not_triage_or_reply(client, ticket):
    token = bearer(api_token(("tickets:write",), owner=factories.l2_engineer()))
    ticket_url = f"/api/v1/tickets/{ticket.reference}"

    noted = client.post(
        f"{ticket_url}/notes",
        {"body": "Reproduced on staging; fix in review."},
        content_type="application/json",
        headers={**token, "If-Match": "*"},
    )
    replied = client.post(
        f"{ticket_url}/replies",
        {"body": "Fixed soon."},
        content_type="application/json",
        headers={**token, "If-Match": "*"},
    )
    triaged = client.patch(
        ticket_url,
        {"status": "resolved"},
        content_type="application/json",
        headers={**token, "If-Match": "*"},
    )

    assert noted.status_code == 201
    assert (replied.status_code, triaged.status_code) == (403, 403)
    assert "public replies" in replied.json()["detail"]
    assert ticket.messages.filter(kind=MessageKind.NOTE, body__startswith="Reproduced").exists()
    assert not ticket.messages.filter(body="Fixed soon.").exists()
    ticket.refresh_from_db()
    assert ticket.status != "resolved"


def _closed_by_an_agent(**kwargs) -> Ticket:
    agent = factories.l1_agent(username="closer")
    ticket = ticket_from(**kwargs)
    services.ticket_change_status(ticket=ticket, status=Status.OPEN, by=agent)
    services.ticket_change_status(ticket=ticket, status=Status.CLOSED, by=agent)
    return Ticket.objects.get(pk=ticket.pk)


def test_an_integration_reopens_a_closed_ticket_and_the_requester_is_told(client, writer):
    ticket = _closed_by_an_agent(email="amina@partner.example.org")
    deliver_all()
    mail.outbox.clear()

    response = client.post(
        f"/api/v1/tickets/{ticket.reference}/reopen",
        headers={**writer, "If-Match": version_of(ticket)},
    )

    assert response.status_code == 200
    assert response.json()["status"] == Status.OPEN
    assert response["ETag"] == version_of(ticket)
    deliver_all()
    assert [m.to for m in mail.outbox] == [["amina@partner.example.org"]]
    assert "is open again" in mail.outbox[0].body


def test_reopening_a_merged_ticket_is_a_409_and_nothing_changes(client, writer):
    survivor, duplicate = ticket_from(subject="Survivor"), ticket_from(subject="Duplicate")
    services.ticket_merge(ticket=duplicate, into=survivor, by=factories.l1_agent())
    before = snapshot(duplicate)

    response = client.post(
        f"/api/v1/tickets/{duplicate.reference}/reopen", headers={**writer, "If-Match": "*"}
    )

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert snapshot(duplicate) == before


def test_an_l2_engineers_token_cannot_reopen(client):
    ticket = _closed_by_an_agent()
    token = bearer(api_token(("tickets:write",), owner=factories.l2_engineer()))

    response = client.post(
        f"/api/v1/tickets/{ticket.reference}/reopen", headers={**token, "If-Match": "*"}
    )

    assert response.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED
