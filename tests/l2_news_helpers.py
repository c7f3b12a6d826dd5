"""Helpers for the L2 news tests: a ticket with L2 on akvo/akvo-flow#7, webhooks, history."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.github_factories import (
    REPOSITORY,
    about_issue,
    deliver_kind,
    escalated_ticket,
    fixture,
    post_webhook,
)
from tickets import escalation
from tickets.models import Ticket, TicketEvent
from tickets.outbox_kinds import OutboxKind

NUMBER = 7
REQUESTER = "amina@partner.example.org"
WORKAROUND = (
    "Thanks @codertocat, reproduced with the file Amina Odhiambo sent from "
    f"{REQUESTER}.\n\n"
    "**Workaround**: untick *Include media* in Settings > Export, then export again. "
    "Call me on +254 712 345 678 or write to engineer@akvo.example.org if it still fails.\n\n"
    "```\nTraceback: parse failed at row 10001\n```\n\n"
    "> the progress bar froze\n\n"
    f"Root cause: https://github.com/{REPOSITORY}/issues/{NUMBER}#issuecomment-1"
)


def escalated_on_seven(agent) -> Ticket:
    """A ticket with L2 on akvo/akvo-flow#7, from Amina (the requester whose details must stay)."""
    ticket, issue = escalated_ticket(agent=agent, email=REQUESTER, name="Amina Odhiambo")
    escalation.issue_filed(
        issue=issue,
        number=NUMBER,
        url=f"https://github.com/{REPOSITORY}/issues/{NUMBER}",
        title="Export stops",
    )
    return fresh(ticket)


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def url(name: str, ticket: Ticket) -> str:
    return reverse(f"desk:{name}", kwargs={"ticket_id": ticket.pk})


def l2_queue() -> str:
    return reverse("desk:queue", kwargs={"queue": "l2_news"})


def new_comment(payload: dict[str, Any]) -> dict[str, Any]:
    """The example comment (2019) written now: older comments are history, not news."""
    payload["comment"]["created_at"] = timezone.now().isoformat()
    return payload


def comment_payload(body: str, *, comment_id: int = 492700400, **comment: Any) -> bytes:
    payload = new_comment(fixture("issue_comment.created.json"))
    payload["comment"].update(body=body, id=comment_id, **comment)
    return about_issue(payload, REPOSITORY, NUMBER)


def webhook(client: Client, event: str, body: bytes, delivery: str) -> None:
    assert post_webhook(client, event, body, delivery=delivery).status_code == 202
    deliver_kind(OutboxKind.GITHUB_WEBHOOK)


def news_history(ticket: Ticket) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=ticket, field="l2_news").order_by("pk"))
