"""What the ticket's history says of a change made through the API: a token's changes are its
owner's *via* the token, on the desk and in the API; a staff session's are the person's own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tests.api_helpers import api_token, bearer
from tests.desk_helpers import ticket_from
from tests.test_api_requests import bug_report, create
from tickets.models import Message, MessageKind, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket():
    return ticket_from(subject="Data export stops at 50%")


@pytest.fixture
def flow():
    return factories.product("akvo-flow")


def test_a_note_made_with_a_token_says_so_in_the_history_and_on_the_desk(client, ticket):
    amina = factories.l1_agent(username="amina", first_name="Amina", last_name="Odhiambo")
    token = bearer(api_token(("tickets:write",), owner=amina, name="Flow sync"))

    response = client.post(
        f"/api/v1/tickets/{ticket.reference}/notes",
        {"body": "Export job 7731 failed on the gzip step."},
        content_type="application/json",
        headers={**token, "If-Match": "*"},
    )

    assert response.status_code == 201
    note = Message.objects.get(ticket=ticket, kind=MessageKind.NOTE)
    assert note.author_user == amina
    event = TicketEvent.objects.filter(ticket=ticket).latest("id")
    assert (event.actor, event.kind) == (amina, "message")
    assert event.actor_label == "Amina Odhiambo via API token “Flow sync”"
    client.force_login(amina)
    page = client.get(reverse("desk:ticket", args=[ticket.pk])).content.decode()
    assert "Amina Odhiambo via API token “Flow sync”:" in page
    assert "Internal note added" in page


def test_every_change_made_with_a_token_is_the_owners_via_the_token(client, ticket):
    amina = factories.l1_agent(username="amina", first_name="Amina", last_name="Odhiambo")
    token = bearer(api_token(("tickets:read", "tickets:write"), owner=amina, name="Flow sync"))
    factories.impact("critical")

    response = client.patch(
        f"/api/v1/tickets/{ticket.reference}",
        {"impact": "critical", "assignee": amina.pk},
        content_type="application/json",
        headers={**token, "If-Match": "*"},
    )

    assert response.status_code == 200, response.content
    made = TicketEvent.objects.filter(ticket=ticket).exclude(kind="created")
    assert made.count() >= 2
    assert {e.actor_label for e in made} == {"Amina Odhiambo via API token “Flow sync”"}
    assert {e.actor for e in made} == {amina}
    events = client.get(f"/api/v1/tickets/{ticket.reference}", headers=token).json()["events"]
    assert events[-1]["actor"] == "Amina Odhiambo via API token “Flow sync”"


def test_the_same_note_from_a_staff_session_is_simply_the_persons(client, ticket):
    amina = factories.l1_agent(username="amina", first_name="Amina", last_name="Odhiambo")
    client.force_login(amina)

    response = client.post(
        f"/api/v1/tickets/{ticket.reference}/notes",
        {"body": "Checked by hand."},
        content_type="application/json",
        headers={"If-Match": "*"},
    )

    assert response.status_code == 201
    assert not TicketEvent.objects.filter(ticket=ticket, kind="message").exists()
    assert "via API token" not in "".join(
        TicketEvent.objects.filter(ticket=ticket).values_list("actor_label", flat=True)
    )


def test_a_ticket_filed_with_a_token_was_created_via_it(client, flow):
    token = api_token(("tickets:create",), name="Akvo Flow help widget")

    response = create(client, token, bug_report())

    assert response.status_code == 201
    created = Ticket.objects.get().events.get(kind="created")
    assert created.actor is None
    assert created.actor_label == (
        "Amina Odhiambo <amina@partner.example.org> via API token “Akvo Flow help widget”"
    )
