"""Every mail that reached the support address, kept raw with what became of it.

A row is written (and committed) before anything is done with the mail, so a
mail is never lost between the mailbox and the ticket: the IMAP poller marks
the mail in the mailbox only after its row is saved, and a mail whose
processing fails stays here, with the error, for an admin to act on.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import Message, Ticket


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("Received, not processed yet")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")
    HELD = "held", _("Held for an agent")
    FAILED = "failed", _("Failed")


class InboundSource(models.TextChoices):
    IMAP = "imap", _("IMAP mailbox")
    WEBHOOK = "webhook", _("Inbound webhook")


class InboundEmail(models.Model):
    """One received mail: the raw bytes, its key headers and its outcome."""

    message_id = models.CharField(
        _("Message-ID"),
        max_length=255,
        unique=True,
        help_text=_("The mail's Message-ID (or a digest of its bytes when it has none)."),
    )
    source = models.CharField(_("source"), max_length=10, choices=InboundSource.choices)
    raw = models.BinaryField(_("raw message"))
    truncated = models.BooleanField(
        _("truncated"),
        default=False,
        help_text=_("Larger than the limit: only the beginning of the mail was kept."),
    )
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    envelope_recipient = models.CharField(_("envelope recipient"), max_length=254, blank=True)
    from_address = models.CharField(_("from"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InboundStatus.choices,
        default=InboundStatus.RECEIVED,
    )
    attempts = models.PositiveSmallIntegerField(
        _("processing attempts"),
        default=0,
        db_default=0,
        editable=False,
        help_text=_("Counted before each try, so a mail that brings its worker down shows."),
    )
    reason = models.TextField(_("reason"), blank=True)
    error = models.TextField(_("error"), blank=True)
    html_sanitised = models.TextField(
        _("HTML body (sanitised)"),
        blank=True,
        help_text=_("The HTML part after nh3: safe to display, nothing active left in it."),
    )
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_emails",
        verbose_name=_("ticket"),
        help_text=_("The ticket it went to, or the one it seems to belong to when held."),
    )
    ticket_message = models.ForeignKey(
        Message,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("message"),
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        indexes = [models.Index(fields=["status", "received_at"], name="inbound_status")]

    def __str__(self) -> str:
        return f"{self.from_address or '?'}: {self.subject or self.message_id}"
