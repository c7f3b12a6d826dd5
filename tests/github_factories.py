"""Helpers for the GitHub escalation tests: escalated tickets, signed webhooks, due rows."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.test import Client
from django.urls import reverse

from tests import factories
from tests.desk_helpers import ticket_from
from tests.fake_github import TOKEN, FakeGitHub
from tickets import outbox, services
from tickets.models import EscalationIssue, OutboxMessage, OutboxStatus, Ticket
from tickets.outbox_kinds import OutboxKind

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "github"
WEBHOOK_SECRET = "webhook-secret-for-tests"
REPOSITORY = "akvo/akvo-flow"  # the seeded Akvo Flow product files here


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_bytes())


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def escalated_ticket(
    *, summary: str = "Export job times out on surveys over 10k rows.", **kwargs: Any
) -> tuple[Ticket, EscalationIssue]:
    agent = kwargs.pop("agent", None) or factories.l1_agent()
    ticket = ticket_from(**kwargs)
    issue = services.ticket_escalate(ticket=ticket, by=agent, technical_summary=summary)
    return Ticket.objects.get(pk=ticket.pk), issue


def github_rows(kind: str = OutboxKind.GITHUB_ISSUE) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind=kind).order_by("pk"))


def deliver(row: OutboxMessage) -> outbox.DeliveryResult:
    """Deliver one row now, as the worker would once it is due."""
    OutboxMessage.objects.filter(pk=row.pk, status=OutboxStatus.PENDING).update(
        next_attempt_at=row.created_at
    )
    return outbox.outbox_deliver_row(row.pk)


def deliver_kind(kind: str) -> list[outbox.DeliveryResult]:
    return [deliver(row) for row in github_rows(kind) if row.status == OutboxStatus.PENDING]


def sign(body: bytes, secret: str = WEBHOOK_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_webhook(
    client: Client,
    event: str,
    body: bytes,
    *,
    signature: str | None = None,
    delivery: str | None = None,
) -> Any:
    headers = {
        "HTTP_X_GITHUB_EVENT": event,
        "HTTP_X_GITHUB_DELIVERY": delivery or str(uuid.uuid4()),
        "HTTP_X_HUB_SIGNATURE_256": sign(body) if signature is None else signature,
    }
    if signature == "":
        del headers["HTTP_X_HUB_SIGNATURE_256"]
    return client.post(
        reverse("github:webhook"), data=body, content_type="application/json", **headers
    )


def about_issue(payload: dict[str, Any], repository: str, number: int) -> bytes:
    """A real payload, pointed at our repository and issue, as GitHub would send it."""
    payload = json.loads(json.dumps(payload))
    payload["repository"]["full_name"] = repository
    payload["issue"]["number"] = number
    payload["issue"]["html_url"] = f"https://github.com/{repository}/issues/{number}"
    return json.dumps(payload).encode()


@contextlib.contextmanager
def local_github(settings, *, timeout: int = 1) -> Iterator[FakeGitHub]:
    """The local fake GitHub with REPOSITORY, and the settings pointing the client at it."""
    fake = FakeGitHub().start()
    fake.add_repo(REPOSITORY)
    settings.GITHUB_TOKEN = TOKEN
    settings.GITHUB_API_URL = fake.url
    settings.GITHUB_TIMEOUT = timeout
    try:
        yield fake
    finally:
        fake.stop()
