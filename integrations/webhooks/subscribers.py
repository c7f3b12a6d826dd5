"""Who listens to which ticket event, looked up on every event without a query.

Every ticket event asks (``tickets.published_events``), most often with no
subscription at all, inside requests whose queries are budgeted (Contact Us).
The active subscriptions are kept per process under a version in the shared
cache (:class:`catalog.memo.SharedVersionMemo`): saving or deleting one makes
every process read them again; changes without a signal (``update()``) call
:func:`subscriptions_changed`.
"""

from __future__ import annotations

from catalog.memo import SharedVersionMemo
from integrations.webhooks.models import WebhookSubscription

subscriptions_memo = SharedVersionMemo("webhook-subscriptions")


def _active() -> list[tuple[int, frozenset[str]]]:
    rows = WebhookSubscription.objects.filter(is_active=True).values_list("pk", "events")
    return [(pk, frozenset(events or [])) for pk, events in rows]


def subscribers(event_type: str) -> list[int]:
    """The active subscriptions to ``event_type``."""
    active = subscriptions_memo.get("active", _active)
    return [pk for pk, events in active if event_type in events]


def subscriptions_changed() -> None:
    subscriptions_memo.changed()


def connect_signals() -> None:
    subscriptions_memo.watch(WebhookSubscription)
