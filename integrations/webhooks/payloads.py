"""The JSON body of a delivery: what happened, to which ticket, and nothing personal by default.

``data.ticket`` describes the ticket as it is when the event is first sent
(status, product, category, impact: slugs and codes, never names a translation
could change); ``data.change`` says what happened (the old and new status, the
SLA target missed, the kind of L2 news). The requester's name and email, the
subject and message text are added under ``data.personal`` only for a
subscription that opts in (``include_personal_data``): the help desk's rule that
nothing personal leaves for a place we do not control.

The event (the body without ``data.personal``) is built once, at the first
attempt, and kept in the outbox row as text (``payload["event"]``; jsonb would
reorder its keys), so every retry sends the same event under the same event id.
Personal data is never stored there: it is read from the ticket and message rows
at each attempt and added only while the subscription still includes it, so a
retry after the manager turns it off sends none, and a reply deleted since is
sent without its text (``message`` null).
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


def _dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def _ticket(row: OutboxMessage) -> Ticket | None:
    ticket_id = row.payload.get("ticket_id")
    if ticket_id is None:
        return None
    related = ("product", "category", "impact", "requester")
    return Ticket.objects.select_related(*related).filter(pk=ticket_id).first()


def build_event(row: OutboxMessage) -> str:
    """The body as every subscription receives it, without ``data.personal``: kept for retries."""
    payload = row.payload
    facts = dict(payload.get("facts") or {})
    facts.pop("message_id", None)  # an internal id: the message itself is personal data
    data: dict[str, Any] = {"change": facts}
    ticket = _ticket(row)
    if ticket is not None:
        data["ticket"] = ticket_data(ticket)
    occurred = datetime.fromisoformat(payload["occurred_at"])
    document = {
        "id": payload["event_id"],
        "type": str(payload["type"]),
        "created_at": _iso(occurred),
        "data": data,
    }
    return _dumps(document)


def build_body(
    row: OutboxMessage, subscription: WebhookSubscription, event: str | None = None
) -> bytes:
    """What this attempt sends: the kept ``event``, and ``data.personal`` if the subscription
    includes personal data now (read from the rows as they are now, stored nowhere)."""
    event = build_event(row) if event is None else event
    ticket = _ticket(row) if subscription.include_personal_data else None
    if ticket is None:
        return event.encode()
    document = json.loads(event)
    facts = dict(row.payload.get("facts") or {})
    document["data"]["personal"] = personal_data(ticket, str(row.payload["type"]), facts)
    return _dumps(document).encode()
