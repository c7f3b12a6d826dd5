"""Who hears of ticket events (subscriptions), and every attempt to tell them.

A delivery is the outbox row itself (:class:`WebhookDelivery`, a proxy of
``OutboxMessage`` limited to the ``webhook`` kind): its status, attempt count,
next attempt and last error are the outbox's. Each attempt also leaves a
:class:`WebhookAttempt`, written before the request leaves and completed after,
so the back office lists every attempt with its answer, and one whose worker was
lost mid-request still shows.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models import OutboxMessage
from tickets.outbox_kinds import OutboxKind
from tickets.published_events import EVENT_LABELS, EventType

EVENT_CHOICES = [(event.value, EVENT_LABELS[event]) for event in EventType]


def new_secret() -> str:
    return "whsec_" + secrets.token_hex(32)


class WebhookSubscription(models.Model):
    """A URL that hears of some ticket events, signed with its own secret.

    The secret is stored as it is (it must be read to sign each delivery), shown
    to managers in the back office only, and can be regenerated there. The one a
    new secret replaces is kept, stored the same way, and signs deliveries too
    until ``previous_secret_expires_at`` (``WEBHOOK_SECRET_GRACE_HOURS``), so events
    in flight and a receiver not yet given the new secret still verify.
    """

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(
        _("target URL"),
        max_length=500,
        help_text=_(
            "Receives a signed POST for each event. Only https in production, and never a "
            "private or loopback address (see README, “Outgoing webhooks”)."
        ),
    )
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        default=new_secret,
        help_text=_("Give it to the receiver, which checks each delivery's signature with it."),
    )
    previous_secret = models.CharField(
        _("previous signing secret"), max_length=100, blank=True, default=""
    )
    previous_secret_expires_at = models.DateTimeField(
        _("previous secret signs until"),
        null=True,
        blank=True,
        help_text=_(
            "After a new secret is generated, deliveries carry a signature with the old one "
            "too until then, so the receiver has time to switch."
        ),
    )
    include_personal_data = models.BooleanField(
        _("include personal data"),
        default=False,
        help_text=_(
            "Off: deliveries say what happened to which ticket, with no requester name or email, "
            "subject or message text. Only turn on for a receiver that may hold them."
        ),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Turned off by the help desk when the receiver answers 410 Gone."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return self.name

    def signing_secrets(self, now: datetime) -> list[str]:
        """The secrets a delivery is signed with at ``now``: the current one first."""
        expires = self.previous_secret_expires_at
        if self.previous_secret and expires is not None and now < expires:
            return [self.secret, self.previous_secret]
        return [self.secret]


class WebhookDeliveryQuerySet(models.QuerySet["WebhookDelivery"]):
    def for_subscription(self, subscription_id: int) -> WebhookDeliveryQuerySet:
        return self.filter(payload__subscription_id=subscription_id)


class WebhookDeliveryManager(models.Manager["WebhookDelivery"]):
    def get_queryset(self) -> WebhookDeliveryQuerySet:
        return WebhookDeliveryQuerySet(self.model, using=self._db).filter(kind=OutboxKind.WEBHOOK)


class WebhookDelivery(OutboxMessage):
    """One event for one subscription: the outbox row that delivers it."""

    objects: ClassVar[WebhookDeliveryManager] = WebhookDeliveryManager()  # only its kind

    class Meta:
        proxy = True
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    @property
    def event_id(self) -> str:
        return str(self.payload.get("event_id", ""))

    @property
    def event_type(self) -> str:
        return str(self.payload.get("type", ""))


class AttemptOutcome(models.TextChoices):
    SENDING = "sending", _("No answer recorded (worker lost?)")
    DELIVERED = "delivered", _("Delivered")
    RETRY = "retry", _("Failed, will retry")
    GAVE_UP = "gave_up", _("Failed, given up")
    REFUSED = "refused", _("Refused target")


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.CASCADE,
        related_name="webhook_attempts",
        verbose_name=_("delivery"),
    )
    subscription = models.ForeignKey(
        WebhookSubscription,
        on_delete=models.CASCADE,
        related_name="attempts",
        verbose_name=_("subscription"),
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=AttemptOutcome.choices, default=AttemptOutcome.SENDING
    )
    error = models.TextField(_("error"), blank=True)
    response_excerpt = models.TextField(_("response (beginning)"), blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number} {self.outcome}"
