"""Ticket events that subscribers outside the help desk hear of (outgoing webhooks).

A service calls :func:`publish` (or :func:`publish_many`) at the one place where
the event happens, inside its transaction. ``tickets`` does not know who listens:
the ``integrations`` app registers a lookup (:func:`register_subscribers`) that
names the active subscriptions for an event type, and one ``webhook`` outbox row
is written per subscription, in the caller's transaction, so each receiver is
retried (and given up on) on its own. With no subscription, nothing is written.

Every subscription's row for one event carries the same event id, so a receiver
subscribed twice, or receiving a retry, can tell it has seen the event. The row
is written with what happened (``facts``: the old and new status, the message's
id, the SLA target), no personal data; the integration builds the event from the
ticket when it first sends it, and adds personal data (never stored in the row)
at each attempt for a subscription that includes it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import Ticket
from tickets.outbox import OutboxItem, outbox_add_many
from tickets.outbox_kinds import OutboxKind


class EventType(StrEnum):
    TICKET_CREATED = "ticket.created"
    STATUS_CHANGED = "ticket.status_changed"
    PUBLIC_REPLY = "ticket.public_reply"  # our public reply to the requester
    ESCALATED = "ticket.escalated"  # handed to L2 (also when L2 reopens its issue)
    L2_UPDATE = "ticket.l2_update"  # L2 commented, labelled, linked a fix or closed the issue
    SLA_BREACHED = "ticket.sla_breached"


EVENT_LABELS = {
    EventType.TICKET_CREATED: _("Ticket created"),
    EventType.STATUS_CHANGED: _("Status changed"),
    EventType.PUBLIC_REPLY: _("Public reply sent"),
    EventType.ESCALATED: _("Escalated to L2"),
    EventType.L2_UPDATE: _("L2 update"),
    EventType.SLA_BREACHED: _("SLA breached"),
}

# Given an event type, the ids of the active subscriptions to it.
Subscribers = Callable[[str], Sequence[int]]
_subscribers: list[Subscribers] = []


def register_subscribers(lookup: Subscribers) -> None:
    """Say who listens (called once from the integration's AppConfig.ready)."""
    if lookup not in _subscribers:
        _subscribers.append(lookup)


def _subscriptions(event_type: EventType) -> list[int]:
    return [pk for lookup in _subscribers for pk in lookup(str(event_type))]


def event_payload(
    *,
    subscription_id: int,
    event_id: str,
    event_type: str,
    ticket_id: int | None,
    facts: Any,
    occurred_at: str = "",
) -> dict[str, Any]:
    return {
        "subscription_id": subscription_id,
        "event_id": event_id,
        "type": str(event_type),
        "occurred_at": occurred_at or timezone.now().isoformat(),
        "ticket_id": ticket_id,
        "facts": dict(facts or {}),
    }


def publish(ticket: Ticket, event_type: EventType, facts: Mapping[str, Any] | None = None) -> None:
    """One event about ``ticket``: a webhook row per active subscription to its type."""
    publish_many([(ticket.pk, event_type, facts)])


def publish_many(events: Sequence[tuple[int, EventType, Mapping[str, Any] | None]]) -> None:
    """:func:`publish` for a batch of ``(ticket_id, event_type, facts)``."""
    items = []
    targets: dict[EventType, list[int]] = {}
    for ticket_id, event_type, facts in events:
        if event_type not in targets:
            targets[event_type] = _subscriptions(event_type)
        event_id, occurred_at = str(uuid.uuid4()), timezone.now().isoformat()
        for subscription_id in targets[event_type]:
            payload = event_payload(
                subscription_id=subscription_id,
                event_id=event_id,
                event_type=event_type,
                ticket_id=ticket_id,
                facts=facts,
                occurred_at=occurred_at,
            )
            key = f"webhook:{subscription_id}:{event_id}"
            items.append(
                OutboxItem(kind=OutboxKind.WEBHOOK, key=key, payload=payload, ticket_id=ticket_id)
            )
    if items:
        # Keys hold a fresh UUID: no other transaction can be writing them.
        outbox_add_many(items)
