"""What Slack needs remembered: who is who, and where each ticket's alerts were posted."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models import Ticket


class SlackUser(models.Model):
    """A Slack member linked to a help desk agent, so a button press acts as that agent."""

    slack_user_id = models.CharField(
        _("Slack user ID"),
        max_length=32,
        unique=True,
        help_text=_("The member ID from the Slack profile (⋮ → Copy member ID), e.g. U024BE7LH."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="slack_account",
        verbose_name=_("agent"),
        limit_choices_to={"is_staff": True},
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["slack_user_id"]
        verbose_name = _("Slack user")
        verbose_name_plural = _("Slack users")

    def __str__(self) -> str:
        return f"{self.slack_user_id} → {self.user.get_username()}"


class SlackThread(models.Model):
    """The first alert message about a ticket; later alerts about it go in its thread.

    The row is claimed (``ts`` empty) before the first message is posted, so two
    alerts delivered at once do not both start a thread.
    """

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, related_name="slack_thread", verbose_name=_("ticket")
    )
    channel = models.CharField(_("channel ID"), max_length=32, blank=True)
    ts = models.CharField(_("message ts"), max_length=32, blank=True)
    claimed_at = models.DateTimeField(_("claimed"))

    class Meta:
        verbose_name = _("Slack thread")
        verbose_name_plural = _("Slack threads")

    def __str__(self) -> str:
        return f"{self.ticket.reference} {self.channel}/{self.ts or '…'}"


class SlackPost(models.Model):
    """One alert message posted to Slack, so its buttons can update it later."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="slack_posts", verbose_name=_("ticket")
    )
    outbox_key = models.CharField(_("outbox key"), max_length=200, unique=True)
    channel = models.CharField(_("channel ID"), max_length=32)
    ts = models.CharField(_("message ts"), max_length=32)
    thread_ts = models.CharField(_("thread ts"), max_length=32, blank=True)
    event = models.CharField(_("event"), max_length=20)
    detail = models.TextField(_("detail"), blank=True)
    created_at = models.DateTimeField(_("posted"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("Slack post")
        verbose_name_plural = _("Slack posts")
        constraints = [
            models.UniqueConstraint(fields=["channel", "ts"], name="slack_post_channel_ts"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket.reference} {self.event} {self.channel}/{self.ts}"
