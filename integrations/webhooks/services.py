"""What a manager does with a subscription besides editing it: test it, change its secret."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from integrations.webhooks.models import WebhookDelivery, WebhookSubscription, new_secret
from integrations.webhooks.payloads import TEST_EVENT
from tickets.outbox import outbox_add
from tickets.outbox_kinds import OutboxKind
from tickets.published_events import event_payload


@transaction.atomic
def subscription_send_test(*, subscription: WebhookSubscription) -> WebhookDelivery:
    """Queue a ``webhook.test`` event (no ticket) to the subscription, delivered like any other."""
    event_id = str(uuid.uuid4())
    row = outbox_add(
        kind=OutboxKind.WEBHOOK,
        key=f"webhook:{subscription.pk}:{event_id}",
        payload=event_payload(
            subscription_id=subscription.pk,
            event_id=event_id,
            event_type=TEST_EVENT,
            ticket_id=None,
            facts={},
        ),
        new_key=True,
    )
    return WebhookDelivery.objects.get(pk=row.pk)


@transaction.atomic
def subscription_new_secret(*, subscription: WebhookSubscription) -> WebhookSubscription:
    """A new signing secret; the one it replaces still signs for ``WEBHOOK_SECRET_GRACE_HOURS``.

    During that time each delivery carries both signatures, so events already on
    their way and a receiver that still has the old secret keep verifying. Only
    the secret just replaced is kept: a second new secret within the grace period
    ends the first one's.
    """
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    grace = timedelta(hours=settings.WEBHOOK_SECRET_GRACE_HOURS)
    if grace > timedelta(0):
        subscription.previous_secret = subscription.secret
        subscription.previous_secret_expires_at = timezone.now() + grace
    else:
        subscription.previous_secret, subscription.previous_secret_expires_at = "", None
    subscription.secret = new_secret()
    subscription.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    return subscription
