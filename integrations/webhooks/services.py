"""What a manager does with a subscription besides editing it: test it, change its secret."""

from __future__ import annotations

import uuid

from django.db import transaction

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
    """A new signing secret; deliveries signed from now on use it."""
    subscription.secret = new_secret()
    subscription.save(update_fields=["secret"])
    return subscription
