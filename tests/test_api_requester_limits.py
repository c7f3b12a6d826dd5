"""The requester side's hourly limits count only what would be accepted, as on the portal:
a refused create or an empty reply does not use up anyone's quota."""

from __future__ import annotations

import json

import pytest

from tests import factories
from tests.api_helpers import api_token
from tests.test_api_requests import a_ticket_with_a_thread, bug_report, create
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def flow():
    return factories.product("akvo-flow")


def test_a_refused_create_does_not_use_up_the_requesters_hourly_quota(client, flow, settings):
    settings.PORTAL_SUBMISSIONS_PER_EMAIL_PER_HOUR = 1
    token = api_token(("tickets:create",))

    refused = create(client, token, bug_report(actual=""))  # a bug without what happened
    filed = create(client, token, bug_report(subject="Export fails, with what happened"))
    over = create(client, token, bug_report(subject="And again"))

    assert [a.status_code for a in (refused, filed, over)] == [422, 201, 429]
    assert Ticket.objects.count() == 1


def test_an_empty_reply_does_not_use_up_the_tickets_hourly_replies(client, settings):
    settings.PORTAL_REPLIES_PER_TICKET_PER_HOUR = 1
    ticket = a_ticket_with_a_thread()
    before = ticket.messages.count()

    def reply(body: str):
        return client.post(
            f"/api/v1/requests/{ticket.token}/replies",
            data=json.dumps({"body": body}),
            content_type="application/json",
        )

    answers = [reply(""), reply("   "), reply("It works again, thanks."), reply("One more")]

    assert [a.status_code for a in answers] == [422, 422, 201, 429]
    assert ticket.messages.count() == before + 1
