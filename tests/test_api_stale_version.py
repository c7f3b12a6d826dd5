"""A ticket that moved on since the client read it: a 412 in the API's words, whether
If-Match already names an old version or a colleague's change lands under the row lock."""

from __future__ import annotations

import pytest

from api.problems import ApiProblem
from api.ticket_http import service_problems
from tests import factories
from tests.api_helpers import api_token, bearer
from tests.desk_helpers import ticket_from
from tests.test_api_ticket_writes import version_of
from tickets import services
from tickets.models import MessageKind, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer():
    return bearer(api_token(("tickets:read", "tickets:write")))


@pytest.fixture
def ticket():
    return ticket_from(subject="Data export stops at 50%")


def test_a_412_tells_the_client_which_version_it_sent_and_to_read_the_ticket_again(
    client, writer, ticket
):
    stale = Ticket.objects.get(pk=ticket.pk).version
    colleague = factories.l1_agent(username="kofi", first_name="Kofi", last_name="Mensah")
    services.ticket_reply(ticket=ticket, by=colleague, kind=MessageKind.NOTE, body="On it.")
    services.ticket_assign(ticket=ticket, assignee=colleague, by=colleague)

    response = client.post(
        f"/api/v1/tickets/{ticket.reference}/notes",
        {"body": "Looks like the gzip bug."},
        content_type="application/json",
        headers={**writer, "If-Match": f'"{stale}"'},
    )

    detail = response.json()["detail"]
    assert response.status_code == 412
    assert f"has changed since version {stale}" in detail
    assert "Kofi Mensah" in detail
    assert "retry with its ETag" in detail
    assert "what you typed" not in detail


def test_the_412_found_under_the_row_lock_speaks_to_an_api_client_too(ticket):
    agent = factories.l1_agent(username="amina", first_name="Amina", last_name="Odhiambo")
    stale = Ticket.objects.get(pk=ticket.pk).version
    services.ticket_assign(ticket=ticket, assignee=agent, by=agent)  # after the API read it

    with pytest.raises(ApiProblem) as refused, service_problems():
        services.ticket_reply(
            ticket=ticket, by=agent, kind=MessageKind.NOTE, body="Late", expected_version=stale
        )

    assert refused.value.status_code == 412
    assert refused.value.headers["ETag"] == version_of(ticket)
    assert refused.value.message == (
        f"{ticket.reference} has changed since version {stale} (it is now version "
        f"{stale + 1}, last changed by Amina Odhiambo), so nothing was written: read it "
        "again and retry with its ETag."
    )
