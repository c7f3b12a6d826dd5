"""Personal data goes out only while a subscription includes it, and is never kept.

The outbox row of a delivery outlives it (``OUTBOX_KEEP_DELIVERED_DAYS``), so it
keeps only the event; the requester's name and email, the subject and the reply
text are read from the ticket at each attempt. A retry after the manager turns
personal data off sends none; a reply deleted since is sent without its text.
"""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps

from integrations.webhooks.payloads import build_body
from tests import factories
from tests.desk_helpers import ticket_from
from tests.webhook_receiver import (
    SECRET,
    body,
    deliver,
    readme_verify,
    received,
    subscribe,
    webhook_rows,
)
from tickets import services
from tickets.models import Message, MessageKind, OutboxMessage

pytestmark = pytest.mark.django_db

PERSONAL = ("Amina", "amina@partner.example.org", "Export stops", "Untick Include media")


def stored(row: OutboxMessage) -> str:
    row.refresh_from_db()
    return json.dumps(row.payload, ensure_ascii=False)


def assert_nothing_personal_in(text: str) -> None:
    for private in PERSONAL:
        assert private not in text, private


def test_personal_data_is_sent_to_an_opted_in_receiver_but_never_kept_in_the_outbox(receiver):
    subscribe(receiver.url_for("/hook"), ["ticket.created"], include_personal_data=True)
    receiver.expect_oneshot_request("/hook").respond_with_data("down", status=503)
    receiver.expect_request("/hook").respond_with_data("ok")
    ticket_from(name="Amina Odhiambo", subject="Export stops")
    [row] = webhook_rows()

    assert deliver(row).outcome == "retry"
    assert_nothing_personal_in(stored(row))
    assert deliver(row).outcome == "delivered"
    assert_nothing_personal_in(stored(row))

    failed, delivered = received(receiver)
    assert failed.get_data() == delivered.get_data()
    assert body(delivered)["data"]["personal"]["requester"]["name"] == "Amina Odhiambo"


def test_a_retry_after_the_manager_turns_personal_data_off_sends_none(receiver):
    subscription = subscribe(
        receiver.url_for("/hook"), ["ticket.created"], include_personal_data=True
    )
    receiver.expect_oneshot_request("/hook").respond_with_data("down", status=500)
    receiver.expect_request("/hook").respond_with_data("ok")
    ticket_from(name="Amina Odhiambo", subject="Export stops")
    [row] = webhook_rows()
    assert deliver(row).outcome == "retry"

    subscription.include_personal_data = False
    subscription.save()  # as the manager does it in the back office
    assert deliver(row).outcome == "delivered"

    first, retry = received(receiver)
    assert "personal" in body(first)["data"]
    assert_nothing_personal_in(retry.get_data().decode())
    assert "personal" not in body(retry)["data"]
    # The same event, told without what the receiver may no longer have.
    assert body(retry)["id"] == body(first)["id"] == row.payload["event_id"]
    assert body(retry)["data"]["ticket"] == body(first)["data"]["ticket"]
    assert readme_verify()(SECRET, retry.headers, retry.get_data())


def test_a_reply_deleted_before_the_retry_is_sent_without_its_text(receiver):
    subscribe(receiver.url_for("/hook"), ["ticket.public_reply"], include_personal_data=True)
    receiver.expect_oneshot_request("/hook").respond_with_data("down", status=502)
    receiver.expect_request("/hook").respond_with_data("ok")
    ticket = ticket_from()
    reply = services.ticket_add_message(
        ticket=ticket,
        kind=MessageKind.REPLY,
        body="Untick Include media, then export again.",
        by=factories.l1_agent(),
    )
    [row] = webhook_rows()
    assert deliver(row).outcome == "retry"

    Message.objects.filter(pk=reply.pk).delete()
    assert deliver(row).outcome == "delivered"

    first, retry = received(receiver)
    assert body(first)["data"]["personal"]["message"] == "Untick Include media, then export again."
    assert body(retry)["data"]["personal"]["message"] is None
    assert b"Untick" not in retry.get_data()
    assert_nothing_personal_in(stored(row))


def test_an_event_kept_with_personal_data_by_the_previous_version_loses_it_on_upgrade(receiver):
    """Rows written before kept the whole first body; the migration keeps only the event."""
    subscription = subscribe(
        receiver.url_for("/hook"), ["ticket.created"], include_personal_data=True
    )
    receiver.expect_request("/hook").respond_with_data("ok")
    ticket_from(name="Amina Odhiambo", subject="Export stops")
    [row] = webhook_rows()
    old_body = build_body(row, subscription).decode()
    assert "Amina" in old_body
    OutboxMessage.objects.filter(pk=row.pk).update(payload={**row.payload, "body": old_body})
    subscription.include_personal_data = False
    subscription.save()

    migration = importlib.import_module(
        "integrations.webhooks.migrations.0003_outbox_rows_without_personal_data"
    )
    migration.strip_personal_data(apps, None)

    assert_nothing_personal_in(stored(row))
    assert "body" not in row.payload
    assert deliver(row).outcome == "delivered"
    [request] = received(receiver)
    event = json.loads(old_body)
    del event["data"]["personal"]
    assert body(request) == event
