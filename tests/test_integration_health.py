"""The back office's integration health: configured or not, last success, failures waiting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from integrations.health import integrations_health
from tests import factories
from tickets.models import OutboxMessage, OutboxStatus

pytestmark = pytest.mark.django_db

HEALTH = "/admin/integrations/health/"


def row(kind: str, status: str, n: int = 1, **fields) -> list[OutboxMessage]:
    return OutboxMessage.objects.bulk_create(
        OutboxMessage(kind=kind, key=f"{kind}:{status}:{i}:{id(fields)}", status=status, **fields)
        for i in range(n)
    )


def by_name():
    return {health.name: health for health in integrations_health()}


def test_each_integration_counts_only_its_own_kinds(settings):
    settings.SLACK_BOT_TOKEN = ""
    settings.GITHUB_TOKEN = "ghp_test"
    settings.GITHUB_WEBHOOK_SECRET = "s"
    now = timezone.now()
    row("email", OutboxStatus.DELIVERED, delivered_at=now - timedelta(hours=2))
    row("email", OutboxStatus.DELIVERED, delivered_at=now - timedelta(minutes=5))
    row("email", OutboxStatus.PENDING, 3, last_error="SMTP 451 try later")
    row("email.digest", OutboxStatus.FAILED)  # not "email": belongs to no integration
    row("github.issue", OutboxStatus.FAILED, 2, last_error="401 Bad credentials")
    row("github_comment", OutboxStatus.SENDING)
    row("slack_alert", OutboxStatus.PENDING, 4, last_error="Slack is not configured")
    row("slack_update", OutboxStatus.FAILED)

    health = by_name()

    email, github, slack = health["Email"], health["GitHub"], health["Slack"]
    assert (email.waiting, email.failed) == (3, 0)
    assert email.last_success == now - timedelta(minutes=5)
    assert email.last_error == "SMTP 451 try later"
    assert (github.waiting, github.failed, github.last_success) == (1, 2, None)
    assert github.configured
    assert github.last_error == "401 Bad credentials"
    assert (slack.waiting, slack.failed) == (4, 1)
    assert not slack.configured
    assert "SLACK_BOT_TOKEN" in slack.configuration
    assert not email.configured  # the tests' locmem backend keeps mail here


def test_slack_counts_as_configured_with_a_token_and_a_channel(settings):
    settings.SLACK_BOT_TOKEN = "xoxb-1"
    settings.SLACK_URGENT_CHANNEL = "C1"
    settings.SLACK_SIGNING_SECRET = "s"
    slack = by_name()["Slack"]
    assert slack.configured
    assert slack.ok
    assert slack.last_success is None
    assert slack.waiting == 0


def test_a_manager_sees_the_page_linked_from_the_admin_index(django_assert_max_num_queries):
    manager = factories.support_manager()
    client = Client()
    client.force_login(manager)
    row(
        "slack_alert", OutboxStatus.FAILED, last_error="Slack chat.postMessage failed: invalid_auth"
    )

    index = client.get("/admin/")
    assert HEALTH in index.content.decode()

    with django_assert_max_num_queries(20):
        page = client.get(HEALTH)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="health-slack"' in html
    assert 'id="health-github"' in html
    assert "invalid_auth" in html
    assert "kind__startswith=slack&amp;status__exact=failed" in html
    outbox = client.get("/admin/tickets/outboxmessage/?kind__startswith=slack&status__exact=failed")
    assert outbox.status_code == 200


def test_the_query_count_does_not_grow_with_the_rows(django_assert_max_num_queries):
    client = Client()
    client.force_login(factories.support_manager())
    row("slack_alert", OutboxStatus.PENDING, 50)
    row("email", OutboxStatus.DELIVERED, 50, delivered_at=timezone.now())
    with django_assert_max_num_queries(20):
        page = client.get(HEALTH)
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("email", "slack", "github"):
        assert f'id="health-{name}"' in html
    assert 'status__exact=pending">50</a>' in html  # Slack's waiting rows, all counted
    assert html.count("<time datetime=") == 1  # email's last success


def test_staff_without_outbox_access_and_visitors_cannot_see_it():
    agent_client = Client()
    agent_client.force_login(factories.l1_agent())
    assert agent_client.get(HEALTH).status_code == 403
    assert HEALTH not in agent_client.get("/admin/").content.decode()
    anonymous = Client().get(HEALTH)
    assert anonymous.status_code == 302
    assert "/admin/login/" in anonymous["Location"]
