"""The outbox row: one side effect waiting to leave the process (email, Slack, GitHub)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class OutboxMessage(models.Model):
    """Written in the same transaction as the change that caused it; delivered after commit."""

    kind = models.CharField(_("kind"), max_length=60)
    key = models.CharField(
        _("key"),
        max_length=200,
        unique=True,
        help_text=_("Stable per side effect, so a retry never sends it a second time."),
    )
    payload = models.JSONField(_("payload"), default=dict)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbox_messages",
        verbose_name=_("ticket"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    lease_expires_at = models.DateTimeField(_("lease expires"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    result = models.JSONField(
        _("result"), default=dict, blank=True, help_text=_("What the receiver answered.")
    )
    handover_started_at = models.DateTimeField(
        _("hand-over started"),
        null=True,
        blank=True,
        help_text=_(
            "Set while a handler hands the message to a receiver that cannot be asked "
            "afterwards whether it arrived (SMTP): if the worker is lost meanwhile, the row "
            "fails instead of being sent twice."
        ),
    )
    lost_attempts = models.PositiveSmallIntegerField(
        _("attempts lost with their worker"), default=0
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["lease_expires_at"],
                name="outbox_leased",
                condition=models.Q(status="sending"),
            ),
            models.Index(fields=["status", "-created_at"], name="outbox_status"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.get_status_display()})"
