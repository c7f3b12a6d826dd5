"""End to end through a real Celery worker and the Redis broker, GitHub played by the local fake.

Escalate on the desk → the worker files one issue → GitHub sends a signed
``issues.closed`` → the worker applies it → the ticket is back with L1 and the
assigned agent has an email. Needs Redis (CELERY_BROKER_URL when it names
Redis, as on CI, else TEST_REDIS_URL or the local default); skips without it,
fails on CI.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.urls import reverse

from tests import factories
from tests.brokers import real_redis_database, use_broker, with_run_prefix
from tests.desk_helpers import logged_in, ticket_from
from tests.github_factories import (
    REPOSITORY,
    WEBHOOK_SECRET,
    about_issue,
    fixture,
    local_github,
    post_webhook,
)
from tests.polling import LONG_TEST_TIMEOUT, wait_for
from tests.workers import celery_worker
from tickets import services
from tickets.models import EscalationIssue, EscalationStatus, Status, Ticket

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True), LONG_TEST_TIMEOUT]


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The real Redis, on a database of its own (TEST_GITHUB_REDIS_DB, default 13), emptied."""
    with real_redis_database("TEST_GITHUB_REDIS_DB", 13, "the GitHub end-to-end test") as url:
        yield url


@pytest.fixture
def github(settings):
    settings.GITHUB_WEBHOOK_SECRET = WEBHOOK_SECRET
    with local_github(settings, timeout=5) as fake:
        yield fake


def test_escalate_file_one_issue_close_it_on_github_and_the_ticket_is_back_with_l1(
    redis_url, github
):
    agent = factories.l1_agent(email="ruth@support.example.org")
    ticket = ticket_from()
    services.ticket_assign(ticket=ticket, assignee=agent, by=agent)
    client = logged_in(agent)

    with (
        use_broker(redis_url, with_run_prefix(settings.REDIS_BROKER_TRANSPORT_OPTIONS)),
        celery_worker(),
    ):
        escalate = reverse("desk:escalate", kwargs={"ticket_id": ticket.pk})
        data = {
            "version": Ticket.objects.get(pk=ticket.pk).version,
            "technical_summary": "Export worker runs out of memory on big surveys.",
        }
        form = client.post(escalate, {**data, "preview": "1"}).context["escalate_form"]
        response = client.post(
            escalate, {**data, "title": form["title"].value(), "body": form["body"].value()}
        )
        assert response.status_code == 302
        wait_for(lambda: EscalationIssue.objects.filter(number__isnull=False).exists(), "the issue")
        issue = EscalationIssue.objects.get()
        assert [(r.method, r.path) for r in github.requests()] == [
            ("POST", f"/repos/{REPOSITORY}/issues")
        ]
        assert len(github.issues(REPOSITORY)) == 1

        github.close_issue(REPOSITORY, issue.number)
        body = about_issue(fixture("issues.closed.json"), REPOSITORY, issue.number)
        payload = json.loads(body)
        payload["issue"]["closed_at"] = github.issues(REPOSITORY)[0]["closed_at"]
        body = json.dumps(payload).encode()
        hook = post_webhook(client, "issues", body, delivery="e2e-closed")
        assert hook.status_code == 202

        def agent_was_told() -> bool:
            return any("ruth@support.example.org" in m.to and "L2 closed" in m.subject
                       for m in mail.outbox)  # fmt: skip

        wait_for(agent_was_told, "the agent's email")

    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.status, ticket.escalation_status) == (Status.OPEN, EscalationStatus.L2_RESOLVED)
    assert len(github.requests("POST")) == 1
    assert redis.Redis.from_url(redis_url).keys(
        f"{settings.TEST_RUN_ID}:_kombu.binding.*"
    )  # the real broker carried it
