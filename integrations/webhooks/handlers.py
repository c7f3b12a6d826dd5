"""Delivers ``webhook`` outbox rows: one signed POST per attempt, each attempt recorded.

What an answer means:

- 2xx: delivered.
- 410 Gone: the receiver wants no more; the subscription is turned off and the
  row fails (no retry).
- 408, 429, 5xx, a timeout, a failed connection or a host name that does not
  resolve (a DNS failure, a name not there yet, a resolver slower than the
  delivery's ``WEBHOOK_TIMEOUT_SECONDS``, which covers resolution too): retried
  with the outbox's backoff, up to ``WEBHOOK_MAX_ATTEMPTS`` attempts (and never
  more than ``OUTBOX_MAX_ATTEMPTS``), then given up.
- Any other status (a redirect, which is not followed; 400, 401, 404…): given up
  at once, since sending the same request again cannot help.
- A target the SSRF guard refuses at delivery time (a private address, a bad
  scheme, credentials in the URL): given up at once.

A retry after a lost worker simply sends again: receivers de-duplicate on the
event id (README), so no hand-over mark is needed as for email.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.utils import timezone

from integrations.webhooks.models import AttemptOutcome, WebhookAttempt, WebhookSubscription
from integrations.webhooks.payloads import build_body, build_event
from integrations.webhooks.sending import Answer, post, signed_headers
from integrations.webhooks.subscribers import connect_signals, subscribers, subscriptions_changed
from integrations.webhooks.targets import TargetRefused, TargetUnresolved, check_target
from tickets.models import OutboxMessage
from tickets.outbox import OutboxPermanentFailure
from tickets.outbox_kinds import OutboxKind, register_handler
from tickets.published_events import register_subscribers

RETRIED_STATUSES = frozenset({408, 429})


class WebhookFailed(Exception):
    """This attempt failed in a way a later one may not (the outbox retries it)."""


def _body(row: OutboxMessage, subscription: WebhookSubscription) -> bytes:
    """The event as built at the first attempt, and personal data only if still wanted.

    Only the event is kept (a retry sends the same event); personal data is added
    at each attempt and never written to the row, which outlives the delivery.
    """
    event = row.payload.get("event")
    if event is None:
        event = build_event(row)
        # Rows of earlier versions kept the whole body, personal data included: not any more.
        payload = {name: value for name, value in row.payload.items() if name != "body"}
        row.payload = {**payload, "event": event}
        OutboxMessage.objects.filter(pk=row.pk).update(payload=row.payload)
    return build_body(row, subscription, str(event))


def _finish(attempt: WebhookAttempt, outcome: str, started: float, **fields: Any) -> None:
    attempt.outcome = outcome
    attempt.duration_ms = round((time.monotonic() - started) * 1000)
    for name, value in fields.items():
        setattr(attempt, name, value)
    attempt.save()


def _last_attempt(row: OutboxMessage) -> bool:
    return row.attempts >= min(settings.WEBHOOK_MAX_ATTEMPTS, settings.OUTBOX_MAX_ATTEMPTS)


def _failed(
    row: OutboxMessage, attempt: WebhookAttempt, started: float, error: str, **fields: Any
) -> Exception:
    """Record the failure; the exception for the outbox to raise (retry, or give up)."""
    if _last_attempt(row):
        _finish(attempt, AttemptOutcome.GAVE_UP, started, error=error, **fields)
        return OutboxPermanentFailure(f"Gave up after {row.attempts} attempts: {error}")
    _finish(attempt, AttemptOutcome.RETRY, started, error=error, **fields)
    return WebhookFailed(error)


def deliver(row: OutboxMessage) -> dict[str, Any]:
    subscription = WebhookSubscription.objects.filter(pk=row.payload["subscription_id"]).first()
    if subscription is None:
        return {"skipped": "the subscription was deleted"}
    if not subscription.is_active:
        return {"skipped": "the subscription is turned off"}
    body = _body(row, subscription)
    started = time.monotonic()
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    deadline = started + timeout  # resolving the name, connecting, sending, the answer
    attempt = WebhookAttempt.objects.create(
        delivery_id=row.pk,
        subscription=subscription,
        number=row.attempts,
        started_at=timezone.now(),
    )
    try:
        target = check_target(subscription.url, timeout=deadline - time.monotonic())
    except TargetRefused as refused:
        _finish(attempt, AttemptOutcome.REFUSED, started, error=str(refused))
        raise OutboxPermanentFailure(str(refused)) from None
    except TargetUnresolved as unresolved:
        raise _failed(row, attempt, started, f"{type(unresolved).__name__}: {unresolved}") from None
    headers = signed_headers(
        secrets=subscription.signing_secrets(timezone.now()),
        event_id=str(row.payload["event_id"]),
        event_type=str(row.payload["type"]),
        body=body,
    )
    try:
        answer = post(target, body, headers, timeout=timeout, deadline=deadline)
    except Exception as error:  # timeouts, refused connections, resets, TLS: all retried
        raise _failed(row, attempt, started, f"{type(error).__name__}: {error}") from error
    return _judge(row, subscription, attempt, started, answer)


def _judge(
    row: OutboxMessage,
    subscription: WebhookSubscription,
    attempt: WebhookAttempt,
    started: float,
    answer: Answer,
) -> dict[str, Any]:
    fields = {"status_code": answer.status, "response_excerpt": answer.excerpt}
    if 200 <= answer.status < 300:
        _finish(attempt, AttemptOutcome.DELIVERED, started, **fields)
        return {"status": answer.status, "attempt": row.attempts}
    error = f"The receiver answered HTTP {answer.status}."
    if answer.status in RETRIED_STATUSES or answer.status >= 500:
        raise _failed(row, attempt, started, error, **fields)
    _finish(attempt, AttemptOutcome.GAVE_UP, started, error=error, **fields)
    if answer.status == 410:
        WebhookSubscription.objects.filter(pk=subscription.pk).update(is_active=False)
        subscriptions_changed()
        error += " The subscription was turned off."
    raise OutboxPermanentFailure(error)


def register() -> None:
    register_handler(OutboxKind.WEBHOOK, deliver)
    register_subscribers(subscribers)
    connect_signals()
