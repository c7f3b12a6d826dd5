"""The JSON body of a delivery: what happened, to which ticket, and nothing personal by default.

``data.ticket`` describes the ticket as it is when the event is first sent
(status, product, category, impact: slugs and codes, never names a translation
could change); ``data.change`` says what happened (the old and new status, the
SLA target missed, the kind of L2 news). The requester's name and email, the
subject and message text are added under ``data.personal`` only for a
subscription that opts in (``include_personal_data``): the help desk's rule that
nothing personal leaves for a place we do not control.

The body is built once, at the first attempt, and kept in the outbox row, so
every retry sends the same bytes under the same event id.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from integrations.webhooks.models import WebhookSubscription
from tickets.escalation.issue_text import ticket_desk_url
from tickets.models import Message, MessageKind, OutboxMessage, Ticket
from tickets.published_events import EventType

TEST_EVENT = "webhook.test"


def _slug(related: Any) -> str | None:
    return related.slug if related is not None else None


def ticket_data(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.pk,
        "reference": ticket.reference,
        "status": ticket.status,
        "escalation_status": ticket.escalation_status,
        "channel": ticket.channel,
        "product": _slug(ticket.product),
        "category": _slug(ticket.category),
        "impact": _slug(ticket.impact),
        "is_urgent": ticket.is_urgent,
        "created_at": _iso(ticket.created_at),
        "desk_url": ticket_desk_url(ticket),
    }


def personal_data(ticket: Ticket, event_type: str, facts: dict[str, Any]) -> dict[str, Any]:
    requester = ticket.requester
    personal: dict[str, Any] = {
        "requester": {"name": requester.name, "email": requester.email} if requester else None,
        "subject": ticket.subject,
    }
    if event_type == EventType.PUBLIC_REPLY and facts.get("message_id"):
        message = Message.objects.filter(
            pk=facts["message_id"], ticket=ticket, kind=MessageKind.REPLY
        ).first()
        personal["message"] = message.body if message else None
    return personal


def _iso(moment: Any) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def build_body(row: OutboxMessage, subscription: WebhookSubscription) -> bytes:
    payload = row.payload
    event_type = str(payload["type"])
    facts = dict(payload.get("facts") or {})
    facts.pop("message_id", None)  # an internal id: the message itself is personal data
    data: dict[str, Any] = {"change": facts}
    ticket_id = payload.get("ticket_id")
    if ticket_id is not None:
        ticket = (
            Ticket.objects.select_related("product", "category", "impact", "requester")
            .filter(pk=ticket_id)
            .first()
        )
        if ticket is not None:
            data["ticket"] = ticket_data(ticket)
            if subscription.include_personal_data:
                data["personal"] = personal_data(ticket, event_type, dict(payload["facts"]))
    occurred = datetime.fromisoformat(payload["occurred_at"])
    document = {
        "id": payload["event_id"],
        "type": event_type,
        "created_at": _iso(occurred),
        "data": data,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
