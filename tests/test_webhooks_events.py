"""Each ticket event a manager can subscribe to is published once, from where it happens.

Rows are written in the service's transaction, one per active subscription to
the event; the body is built when the row is delivered.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from integrations.webhooks.payloads import build_body
from tests import factories
from tests.desk_helpers import ticket_from
from tests.github_factories import WEBHOOK_SECRET, escalated_ticket
from tests.l2_news_helpers import comment_payload, escalated_on_seven, webhook
from tests.webhook_receiver import subscribe, webhook_rows
from tickets import services, sla
from tickets.models import MessageKind, OutboxMessage, Status
from tickets.published_events import EventType

pytestmark = pytest.mark.django_db

ALL_EVENTS = [event.value for event in EventType]


def events_of(ticket) -> list[tuple[str, dict]]:
    return [
        (row.payload["type"], row.payload["facts"])
        for row in webhook_rows()
        if row.ticket_id == ticket.pk
    ]


@pytest.fixture
def everything():
    return subscribe("https://hooks.partner.example/helpdesk", ALL_EVENTS)


@pytest.fixture
def agent():
    return factories.l1_agent(first_name="Lena")


def test_without_subscriptions_a_new_ticket_writes_no_webhook_row():
    ticket_from()
    assert webhook_rows() == []


def test_a_subscription_hears_only_the_events_it_chose(agent):
    subscribe("https://hooks.partner.example/created", ["ticket.created"])
    ticket = ticket_from()
    services.ticket_change_status(ticket=ticket, status=Status.OPEN, by=agent)

    assert events_of(ticket) == [("ticket.created", {})]


def test_a_status_change_says_from_and_to(everything, agent):
    ticket = ticket_from()
    services.ticket_change_status(ticket=ticket, status=Status.WAITING, by=agent)

    assert events_of(ticket)[-1] == ("ticket.status_changed", {"from": "new", "to": "waiting"})


def test_our_public_reply_is_an_event_and_its_text_leaves_only_when_opted_in(everything, agent):
    ticket = ticket_from()
    message = services.ticket_add_message(
        ticket=ticket, kind=MessageKind.REPLY, body="Untick Include media, then export.", by=agent
    )
    services.ticket_add_message(ticket=ticket, kind=MessageKind.NOTE, body="Asked L2.", by=agent)

    types = [event_type for event_type, _facts in events_of(ticket)]
    assert types == ["ticket.created", "ticket.status_changed", "ticket.public_reply"]
    row = OutboxMessage.objects.get(payload__type="ticket.public_reply")
    assert row.payload["facts"] == {"message_id": message.pk}
    assert b"Untick" not in build_body(row, everything)
    everything.include_personal_data = True
    assert b"Untick Include media, then export." in build_body(row, everything)


def test_escalating_to_l2_is_an_event(everything, agent):
    ticket, _issue = escalated_ticket(agent=agent)

    types = [event_type for event_type, _facts in events_of(ticket)]
    assert types[-2:] == ["ticket.status_changed", "ticket.escalated"]
    assert types.count("ticket.escalated") == 1


def test_an_l2_comment_is_an_l2_update_once_however_often_github_delivers_it(
    client, settings, everything, agent
):
    settings.GITHUB_WEBHOOK_SECRET = WEBHOOK_SECRET
    ticket = escalated_on_seven(agent)
    payload = comment_payload("Workaround: export as CSV.", comment_id=77)

    webhook(client, "issue_comment", payload, "delivery-1")
    webhook(client, "issue_comment", payload, "delivery-2")

    updates = [facts for event_type, facts in events_of(ticket) if event_type == "ticket.l2_update"]
    assert updates == [
        {
            "kind": "comment",
            "issue": "akvo/akvo-flow#7",
            "url": updates[0]["url"],
        }
    ]
    assert "Workaround" not in str(updates)


def test_a_breached_sla_is_an_event_once(everything):
    ticket = ticket_from()
    later = timezone.now() + timedelta(days=30)

    sla.sla_check(now=later)
    sla.sla_check(now=later + timedelta(minutes=1))

    breaches = [facts for event_type, facts in events_of(ticket) if event_type.endswith("breached")]
    assert [facts["target"] for facts in breaches] == ["first_response"]
    assert breaches[0]["due_at"]


def test_every_subscription_gets_its_own_row_with_the_same_event_id(everything):
    subscribe("https://second.partner.example/hook", ["ticket.created"])
    ticket_from()

    first, second = webhook_rows()
    assert first.payload["event_id"] == second.payload["event_id"]
    assert first.payload["occurred_at"] == second.payload["occurred_at"]
    assert first.payload["subscription_id"] != second.payload["subscription_id"]
    assert first.key != second.key


def test_a_change_that_is_rolled_back_publishes_nothing(everything, agent):
    ticket = ticket_from()

    def change_then_fail() -> None:
        with transaction.atomic():
            services.ticket_change_status(ticket=ticket, status=Status.OPEN, by=agent)
            raise RuntimeError("the request failed after the change")

    with pytest.raises(RuntimeError):
        change_then_fail()

    assert events_of(ticket) == [("ticket.created", {})]
