"""The back office: a support manager subscribes a receiver, tests it and follows its deliveries."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from integrations.webhooks.models import WebhookDelivery, WebhookSubscription
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

ADD = reverse("admin:webhooks_webhooksubscription_add")
SUBSCRIPTIONS = reverse("admin:webhooks_webhooksubscription_changelist")
DELIVERIES = reverse("admin:webhooks_webhookdelivery_changelist")


def test_a_manager_subscribes_a_url_sees_its_secret_and_sends_a_test_event(receiver):
    manager = factories.support_manager()
    desk = logged_in(manager)
    receiver.expect_request("/hook").respond_with_data("ok")

    response = desk.post(
        ADD,
        {
            "name": "Flow team dashboard",
            "url": receiver.url_for("/hook"),
            "events": ["ticket.created", "ticket.sla_breached"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    subscription = WebhookSubscription.objects.get()
    assert subscription.events == ["ticket.created", "ticket.sla_breached"]
    assert subscription.created_by == manager
    assert subscription.include_personal_data is False
    change = reverse("admin:webhooks_webhooksubscription_change", args=[subscription.pk])
    assert subscription.secret in desk.get(change).content.decode()

    desk.post(SUBSCRIPTIONS, {"action": "send_test", "_selected_action": [subscription.pk]})
    [row] = webhook_rows()
    assert deliver(row).outcome == "delivered"

    [request] = received(receiver)
    assert request.headers["X-Helpdesk-Event-Type"] == "webhook.test"
    assert readme_verify()(subscription.secret, request.headers, request.get_data())
    listing = desk.get(DELIVERIES).content.decode()
    assert "webhook.test" in listing
    assert "Flow team dashboard" in listing


def test_the_deliveries_list_shows_each_attempt_with_its_answer(receiver):
    subscription = subscribe(receiver.url_for("/hook"), ["ticket.created"])
    receiver.expect_oneshot_request("/hook").respond_with_data("", status=503)
    receiver.expect_request("/hook").respond_with_data("ok")
    ticket_from()
    [row] = webhook_rows()
    deliver(row)
    desk = logged_in(factories.support_manager())

    waiting = desk.get(DELIVERIES, {"subscription": subscription.pk}).content.decode()
    assert "The receiver answered HTTP 503." in waiting
    change = reverse("admin:webhooks_webhookdelivery_change", args=[row.pk])
    row.refresh_from_db()
    next_retry = formats.localize(timezone.localtime(row.next_attempt_at))
    assert next_retry_cells(desk.get(change).content.decode()) == [next_retry]
    deliver(row)
    page = desk.get(change)

    html = page.content.decode()
    assert row.payload["event_id"] in html
    assert "Failed, will retry" in html
    assert "503" in html
    assert "Delivered" in html
    assert next_retry_cells(html) == ["—", "—"]  # the waiting is over
    assert WebhookDelivery.objects.get().status == OutboxStatus.DELIVERED


def next_retry_cells(html: str) -> list[str]:
    return re.findall(r'class="field-next_retry">\s*<p>(.*?)</p>', html)


def test_a_manager_cannot_subscribe_a_loopback_address_in_production(settings):
    settings.WEBHOOK_REQUIRE_HTTPS = True
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    desk = logged_in(factories.support_manager())

    response = desk.post(
        ADD,
        {"name": "Local", "url": "https://127.0.0.1/hook", "events": ["ticket.created"]},
    )

    assert response.status_code == 200
    assert "webhooks are only sent to public addresses" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_agents_do_not_see_subscriptions_or_their_secrets():
    subscribe("https://hooks.partner.example/hook", ["ticket.created"])
    for person in (factories.l1_agent(), factories.l2_engineer()):
        desk = logged_in(person)
        assert desk.get(SUBSCRIPTIONS).status_code == 403
        assert SECRET not in desk.get(DELIVERIES).content.decode()


def test_the_deliveries_list_shows_one_subscriptions_deliveries_when_asked():
    flow = subscribe("https://flow.example.org/hook", ["ticket.created"])
    rsr = subscribe("https://rsr.example.org/hook", ["ticket.created"])
    ticket = ticket_from(subject="Export stops at 50%")
    rows = webhook_rows()
    assert {row.payload["subscription_id"] for row in rows} == {flow.pk, rsr.pk}

    page = logged_in(factories.support_manager()).get(DELIVERIES, {"subscription": flow.pk})

    shown = list(page.context["cl"].queryset)
    assert [row.payload["subscription_id"] for row in shown] == [flow.pk]
    assert ticket.reference in page.content.decode()
