"""A ticket's thread (messages and their attachments) and its history (events)."""

from __future__ import annotations

import secrets
from pathlib import PurePath

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.fields import staff_reference
from tickets.models.indexes import TICKET_EVENT_REPORT_INDEXES
from tickets.models.ticket import Requester, Ticket


class MessageKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer message")
    REPLY = "reply", _("Public reply")
    NOTE = "note", _("Internal note")
    EVENT = "event", _("System event")


class Message(models.Model):
    """One entry in a ticket's thread."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="messages", verbose_name=_("ticket")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=MessageKind.choices)
    body = models.TextField(_("body"), blank=True)
    author_user = staff_reference(_("staff author"))
    author_requester = models.ForeignKey(
        Requester,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("requester author"),
    )
    email_message_id = models.CharField(_("email Message-ID"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="message_thread"),
            models.Index(
                fields=["email_message_id"],
                name="message_email_id",
                condition=~models.Q(email_message_id=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.ticket_id}"

    @property
    def is_public(self) -> bool:
        return self.kind in (MessageKind.CUSTOMER, MessageKind.REPLY)

    @property
    def author_label(self) -> str:
        user = self.author_user
        if user is not None:
            return user.get_full_name() or user.get_username()
        if self.author_requester_id:
            return str(self.author_requester)
        return str(_("System"))


def attachment_path(instance: Attachment, filename: str) -> str:
    """A random name: nothing the uploader chose reaches the file system."""
    now = timezone.now()
    return f"attachments/{now:%Y/%m}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    """A file attached to a message; stored outside the code tree under a random name."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("message")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    @staticmethod
    def safe_name(name: str) -> str:
        """The uploader's file name, reduced to its last part, for display only."""
        return PurePath(name.replace("\\", "/")).name[:255] or "attachment"


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    FIELD = "field", _("Field changed")
    STATUS = "status", _("Status changed")
    ASSIGNEE = "assignee", _("Assignee changed")
    ESCALATION = "escalation", _("Escalation status changed")
    TAGS = "tags", _("Issue tags changed")
    MESSAGE = "message", _("Message added")
    SLA = "sla", _("SLA")
    MERGED = "merged", _("Merged")


class TicketEvent(models.Model):
    """The history: who changed what on a ticket, when, from what to what."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", verbose_name=_("ticket")
    )
    actor = staff_reference(
        _("actor"), help_text=_("Empty when the system or the requester made the change.")
    )
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    field = models.CharField(_("field"), max_length=50, blank=True)
    old_value = models.TextField(_("from"), blank=True)
    new_value = models.TextField(_("to"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("history event")
        verbose_name_plural = _("history")
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="event_ticket"),
            *TICKET_EVENT_REPORT_INDEXES,
        ]

    def __str__(self) -> str:
        if self.field:
            return f"{self.field}: {self.old_value or '—'} → {self.new_value or '—'}"
        return self.get_kind_display()
