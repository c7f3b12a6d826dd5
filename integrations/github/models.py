"""Webhook deliveries from GitHub, kept under their unique delivery id.

GitHub re-sends a delivery (same ``X-GitHub-Delivery``) when it did not get a
quick 2xx, and admins can redeliver by hand: the unique id makes the second
copy a no-op, and the stored payload is what the queued processing reads.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WebhookDelivery(models.Model):
    delivery_id = models.CharField(_("delivery id"), max_length=100, unique=True)
    event = models.CharField(_("event"), max_length=50)
    action = models.CharField(_("action"), max_length=50, blank=True)
    repository = models.CharField(_("repository"), max_length=140, blank=True)
    payload = models.JSONField(_("payload"), default=dict)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("GitHub webhook delivery")
        verbose_name_plural = _("GitHub webhook deliveries")
        indexes = [models.Index(fields=["-received_at"], name="github_delivery_received")]

    def __str__(self) -> str:
        action = f".{self.action}" if self.action else ""
        return f"{self.event}{action} {self.delivery_id}"
