"""Tickets, their thread (messages and attachments) and their history."""

from __future__ import annotations

import re
import secrets
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models.indexes import (
    TICKET_DESK_INDEXES,
    TICKET_EVENT_REPORT_INDEXES,
    TICKET_REPORT_INDEXES,
)
from tickets.models.taxonomy import Category, Hub, Impact, IssueTag, Partner, Product

REFERENCE_RE = re.compile(r"^\s*#?(?:[A-Za-z]+-)?(\d{1,18})\s*$")


def new_access_token() -> str:
    """192 random bits, URL-safe: the requester's key to their ticket page."""
    return secrets.token_urlsafe(24)


class Requester(models.Model):
    """A person who asks for help; known by their (lower-cased) email address."""

    email = models.EmailField(_("email"), max_length=254, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    partner = models.ForeignKey(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requesters",
        verbose_name=_("partner"),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["email"]
        verbose_name = _("requester")
        verbose_name_plural = _("requesters")

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        # One person, one row: however an address was typed, it is stored lower-cased.
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else ""


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting on customer")
    ESCALATED = "escalated", _("Escalated to L2")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class EscalationStatus(models.TextChoices):
    NONE = "none", _("Not escalated")
    ESCALATED = "escalated", _("With L2")
    L2_RESOLVED = "l2_resolved", _("L2 resolved — inform the partner")


class Channel(models.TextChoices):
    WEB = "web", _("Contact Us form")
    EMAIL = "email", _("Email")
    SLACK = "slack", _("Slack")
    PHONE = "phone", _("Phone")
    OTHER = "other", _("Other direct contact")


OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING, Status.ESCALATED)


class TicketQuerySet(models.QuerySet):
    def open(self) -> TicketQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def by_reference(self, reference: str) -> TicketQuerySet:
        """Tickets matching a reference as people write it: HD-1042, #1042 or 1042."""
        match = REFERENCE_RE.match(reference or "")
        if not match:
            return self.none()
        return self.filter(pk=int(match.group(1)))


class Ticket(models.Model):
    """One request for help, from whichever channel it came."""

    token = models.CharField(
        _("access token"), max_length=64, unique=True, default=new_access_token, editable=False
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    what_doing = models.TextField(_("what they were doing"), blank=True)
    expected = models.TextField(_("what they expected"), blank=True)
    actual = models.TextField(_("what actually happened"), blank=True)
    steps = models.TextField(_("steps to reproduce"), blank=True)
    product_details = models.JSONField(_("product details"), default=dict, blank=True)
    environment = models.JSONField(_("environment"), default=dict, blank=True)

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    requester = models.ForeignKey(
        Requester, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("requester")
    )
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("partner"),
    )
    hub = models.ForeignKey(
        Hub,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("hub"),
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("product"),
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("category"),
    )
    impact = models.ForeignKey(
        Impact,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("impact"),
    )
    issue_tags = models.ManyToManyField(
        IssueTag, blank=True, related_name="tickets", verbose_name=_("issue tags")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    escalation_status = models.CharField(
        _("escalation status"),
        max_length=12,
        choices=EscalationStatus.choices,
        default=EscalationStatus.NONE,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        limit_choices_to={"is_staff": True, "is_active": True},
        verbose_name=_("assignee"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logged by"),
        help_text=_("The agent who logged it on the client's behalf, if any."),
    )
    organisation_name = models.CharField(
        _("organisation as written"),
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text=_(
            "The organisation the requester wrote on the Contact Us form when it matched no "
            "known partner; create the partner and set it to tag the ticket."
        ),
    )
    submission_key = models.CharField(
        _("submission key"),
        max_length=64,
        blank=True,
        default="",
        db_default="",
        editable=False,
        help_text=_("One per Contact Us submission, so a form sent twice makes one ticket."),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_tickets",
        verbose_name=_("merged into"),
    )

    received_at = models.DateTimeField(
        _("received"),
        default=timezone.now,
        help_text=_("When the client first reached out; the SLA clock starts here."),
    )
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first responded"), null=True, blank=True)
    first_response_breached_at = models.DateTimeField(
        _("first response breached"), null=True, blank=True
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        db_default=1,  # rows written without the ORM (bulk COPY) start at 1 too
        editable=False,
        help_text=_("Goes up with every saved change, so a stale edit can be refused."),
    )

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["status", "-created_at"], name="ticket_status_created"),
            models.Index(fields=["status", "first_response_due_at"], name="ticket_status_due"),
            models.Index(fields=["-created_at", "-id"], name="ticket_created"),
            models.Index(fields=["-updated_at", "-id"], name="ticket_updated"),
            models.Index(fields=["escalation_status", "status"], name="ticket_escalation"),
            *TICKET_DESK_INDEXES,
            *TICKET_REPORT_INDEXES,
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["submission_key"],
                condition=~models.Q(submission_key=""),
                name="ticket_submission_key_unique",
            ),
        ]
        permissions = [
            ("triage_ticket", _("Can triage tickets (category, impact, tags, assignee)")),
            ("reply_ticket", _("Can reply to requesters and add internal notes")),
            ("escalate_ticket", _("Can escalate tickets to L2")),
            ("view_reports", _("Can view support reports")),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Optimistic locking: every saved change of an existing ticket (the services
        # save with update_fields, under a row lock) moves the version on, so a form
        # that loaded an older version can be refused instead of overwriting.
        if not self._state.adding and self.pk is not None:
            self.version = (self.version or 0) + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
        super().save(*args, **kwargs)

    @property
    def reference(self) -> str:
        return f"{settings.TICKET_REFERENCE_PREFIX}-{self.pk}" if self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def can_move_to(self, status: str) -> bool:
        from tickets.workflow import status_transition_allowed

        return status_transition_allowed(self.status, status)


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
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff author"),
    )
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
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
        help_text=_("Empty when the system or the requester made the change."),
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
