"""The SSRF guard: in production, webhooks go to public https addresses only.

Checked when a manager saves the subscription and again before each delivery,
when the name may resolve elsewhere (DNS rebinding). Name resolution is faked
(``socket.getaddrinfo``); nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import pytest

from integrations.webhooks.admin import WebhookSubscriptionForm
from integrations.webhooks.models import AttemptOutcome, WebhookAttempt
from integrations.webhooks.targets import TargetRefused, check_target
from tests.desk_helpers import ticket_from
from tests.webhook_receiver import (
    deliver,
    received,
    subscribe,
    webhook_rows,
)
from tickets.models import OutboxStatus

PUBLIC = "93.184.216.34"


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.WEBHOOK_REQUIRE_HTTPS = True
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://127.1.2.3/hook",
        "https://10.0.0.1/hook",
        "https://172.16.5.4/hook",
        "https://192.168.1.10/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://168.63.129.16/machine?comp=goalstate",
        "https://192.0.0.192/opc/v1/instance/",
        "https://[::ffff:c000:c0]/opc/v1/instance/",
        "https://0.0.0.0/hook",
        "https://100.64.0.1/hook",
        "https://224.0.0.1/hook",
        "https://[::1]/hook",
        "https://[::]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[::ffff:a9fe:a9fe]/hook",
        "https://[fe80::1]/hook",
        "https://[fc00::1]/hook",
        "https://[2002:7f00:1::]/hook",
        "https://[64:ff9b::a00:1]/hook",
        "https://2130706433/hook",
        "https://localhost/hook",
    ],
)
def test_private_loopback_and_reserved_targets_are_refused_in_production(production, url):
    with pytest.raises(TargetRefused, match="public addresses"):
        check_target(url)


def test_a_public_https_address_is_accepted_and_connected_to_by_its_checked_address(
    production, dns
):
    dns.names["hooks.partner.example"] = [PUBLIC]
    target = check_target("https://hooks.partner.example/helpdesk?team=flow")
    assert (target.host, target.port, target.path, target.addresses) == (
        "hooks.partner.example",
        443,
        "/helpdesk?team=flow",
        (PUBLIC,),
    )


def test_a_name_with_any_private_address_among_its_addresses_is_refused(production, dns):
    dns.names["mixed.partner.example"] = [PUBLIC, "10.1.2.3"]
    with pytest.raises(TargetRefused, match=r"10\.1\.2\.3"):
        check_target("https://mixed.partner.example/hook")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.partner.example/hook", "only sent to https"),
        ("ftp://hooks.partner.example/hook", "Only http and https"),
        ("https://user:pw@hooks.partner.example/hook", "user name or password"),
        ("https:///hook", "no host name"),
    ],
)
def test_other_unsafe_addresses_are_refused_with_the_reason(production, dns, url, reason):
    dns.names["hooks.partner.example"] = [PUBLIC]
    with pytest.raises(TargetRefused, match=reason):
        check_target(url)


def test_the_explicit_settings_allow_a_receiver_on_the_private_network(settings):
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    assert check_target("http://10.0.0.1:8080/hook").addresses == ("10.0.0.1",)


@pytest.mark.django_db
def test_a_manager_cannot_save_a_subscription_to_the_metadata_address(production):
    form = WebhookSubscriptionForm(
        data={
            "name": "Sneaky",
            "url": "https://169.254.169.254/latest/meta-data/",
            "events": ["ticket.created"],
            "is_active": "on",
        }
    )
    assert not form.is_valid()
    assert "public addresses" in form.errors["url"][0]


@pytest.mark.django_db
def test_a_name_that_resolves_to_loopback_at_delivery_time_is_refused_and_nothing_is_sent(
    receiver, dns, settings
):
    """DNS rebinding: public when saved, the receiver's loopback address when delivered."""
    port = receiver.port
    dns.names["rebind.partner.example"] = [PUBLIC]
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    form = WebhookSubscriptionForm(
        data={
            "name": "Partner",
            "url": f"http://rebind.partner.example:{port}/hook",
            "events": ["ticket.created"],
            "is_active": "on",
        }
    )
    assert form.is_valid(), form.errors
    form.save()
    dns.names["rebind.partner.example"] = ["127.0.0.1"]
    ticket_from()
    [row] = webhook_rows()

    assert deliver(row).outcome == "failed"

    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED
    assert "resolves to 127.0.0.1" in row.last_error
    assert received(receiver) == []
    [attempt] = WebhookAttempt.objects.all()
    assert attempt.outcome == AttemptOutcome.REFUSED


@pytest.mark.django_db
def test_the_request_goes_to_the_checked_address_with_the_url_host_in_the_host_header(
    receiver, dns
):
    dns.names["hooks.partner.example"] = ["127.0.0.1"]
    subscribe(f"http://hooks.partner.example:{receiver.port}/hook", ["ticket.created"])
    receiver.expect_request("/hook").respond_with_data("ok")
    ticket_from()

    assert deliver(webhook_rows()[0]).outcome == "delivered"
    [request] = received(receiver)
    assert request.headers["Host"] == f"hooks.partner.example:{receiver.port}"
