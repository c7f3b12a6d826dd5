"""A new signing secret does not lose the events on their way to the receiver.

The manager generates a new secret and hands it to the partner, which takes a
while; meanwhile the receiver still checks with the old one, and answers 401 to
a signature it does not know (given up at once). For
``WEBHOOK_SECRET_GRACE_HOURS`` every delivery carries a signature with each
secret, and the README's snippet accepts any of them.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from werkzeug import Request, Response

from integrations.webhooks.models import WebhookSubscription
from integrations.webhooks.services import subscription_new_secret
from tests import factories
from tests.desk_helpers import logged_in, ticket_from
from tests.webhook_receiver import (
    SECRET,
    deliver,
    readme_verify,
    received,
    subscribe,
    webhook_rows,
)
from tickets.models import OutboxStatus

pytestmark = pytest.mark.django_db


def checks_with(secret: str):
    """A receiver's handler that accepts only deliveries it can verify with ``secret``."""
    verify = readme_verify()

    def handler(request: Request) -> Response:
        if verify(secret, request.headers, request.get_data()):
            return Response("ok")
        return Response("bad signature", status=401)

    return handler


def signatures(request: Request) -> list[str]:
    return request.headers["X-Helpdesk-Signature"].split(", ")


def test_a_receiver_still_holding_the_old_secret_gets_the_events_queued_before_the_new_one(
    receiver,
):
    subscription = subscribe(receiver.url_for("/hook"), ["ticket.created"])
    receiver.expect_request("/hook").respond_with_handler(checks_with(SECRET))
    ticket_from()  # on its way when the manager generates the new secret
    desk = logged_in(factories.support_manager())

    page = desk.post(
        reverse("admin:webhooks_webhooksubscription_changelist"),
        {"action": "new_secret", "_selected_action": [subscription.pk]},
        follow=True,
    )
    assert "signature with the old secret too for 24 hours" in page.content.decode()
    subscription.refresh_from_db()
    assert subscription.secret != SECRET
    assert subscription.previous_secret == SECRET
    [row] = webhook_rows()

    assert deliver(row).outcome == "delivered"

    [request] = received(receiver)
    verify, sent = readme_verify(), request.get_data()
    assert verify(SECRET, request.headers, sent)
    assert verify(subscription.secret, request.headers, sent)
    assert not verify("whsec_someone_else", request.headers, sent)
    # The new secret's signature first, then the old one's.
    new, old = signatures(request)
    assert verify(subscription.secret, {**request.headers, "X-Helpdesk-Signature": new}, sent)
    assert verify(SECRET, {**request.headers, "X-Helpdesk-Signature": old}, sent)


def test_once_the_grace_period_is_over_only_the_new_secret_signs(receiver, settings):
    settings.WEBHOOK_SECRET_GRACE_HOURS = 24
    subscription = subscribe(receiver.url_for("/hook"), ["ticket.created"])
    receiver.expect_request("/hook").respond_with_data("ok")
    subscription = subscription_new_secret(subscription=subscription)
    ticket_from()
    [row] = webhook_rows()

    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        assert deliver(row).outcome == "delivered"

        [request] = received(receiver)  # checked a day later too, as the receiver does
        assert len(signatures(request)) == 1
        assert readme_verify()(subscription.secret, request.headers, request.get_data())
        assert not readme_verify()(SECRET, request.headers, request.get_data())


def test_a_second_new_secret_within_the_grace_period_keeps_only_the_one_it_replaces(receiver):
    subscription = subscribe(receiver.url_for("/hook"), ["ticket.created"])
    receiver.expect_request("/hook").respond_with_data("ok")
    first = subscription_new_secret(subscription=subscription).secret
    second = subscription_new_secret(subscription=subscription).secret
    ticket_from()

    assert deliver(webhook_rows()[0]).outcome == "delivered"

    [request] = received(receiver)
    verify = readme_verify()
    assert [verify(s, request.headers, request.get_data()) for s in (second, first, SECRET)] == [
        True,
        True,
        False,
    ]


def test_without_a_grace_period_the_old_secret_stops_at_once(receiver, settings):
    settings.WEBHOOK_SECRET_GRACE_HOURS = 0
    subscription = subscribe(receiver.url_for("/hook"), ["ticket.created"])
    receiver.expect_request("/hook").respond_with_handler(checks_with(SECRET))
    subscription_new_secret(subscription=subscription)
    ticket_from()
    [row] = webhook_rows()

    assert deliver(row).outcome == "failed"

    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED
    assert "HTTP 401" in row.last_error
    [request] = received(receiver)
    assert len(signatures(request)) == 1
    stored = WebhookSubscription.objects.get()
    assert (stored.previous_secret, stored.previous_secret_expires_at) == ("", None)
