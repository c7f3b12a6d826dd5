"""Tickets and the people who ask (requesters); the thread and history are in ``thread``."""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Hub, Impact, IssueTag, Partner, Product
from helpdesk.fields import staff_reference
from tickets.models.indexes import (
    TICKET_DESK_INDEXES,
    TICKET_KEY_INDEXES,
    TICKET_REPORT_INDEXES,
)

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
    # Every mail to them is written in it (integrations.email.handlers); empty: the
    # default language. Set from the page they last wrote on, or their mail. A code of
    # settings.LANGUAGES, not a choice of the field: adding a language needs no migration.
    # The database default too: the bulk seeder's COPY names only the columns it fills.
    language = models.CharField(_("language"), max_length=10, blank=True, default="", db_default="")
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
    def mail_language(self) -> str:
        """The language mail to them is written in: theirs, else the default."""
        return self.language or settings.LANGUAGE_CODE

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

    # Unique by ``ticket_token_unique`` (Meta.constraints): one index that also serves
    # the requester link's prefix lookup (tickets.access), where unique=True made two.
    token = models.CharField(
        _("access token"), max_length=64, default=new_access_token, editable=False
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
    # Foreign keys marked db_index=False are served by a wider index that starts with
    # them (tickets.models.indexes, "TICKET_KEY_INDEXES"): one index less to write.
    requester = models.ForeignKey(
        Requester,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("requester"),
        db_index=False,
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
        db_index=False,
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
        db_index=False,
        limit_choices_to={"is_staff": True, "is_active": True},
        verbose_name=_("assignee"),
    )
    created_by = staff_reference(
        _("logged by"),
        help_text=_("The agent who logged it on the client's behalf, if any."),
        db_index=False,
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
    is_urgent = models.BooleanField(
        _("urgent"),
        default=False,
        db_default=False,
        help_text=_(
            "Set by an agent (desk or Slack): sorts first in every queue and runs on the "
            "urgent SLA policy while set."
        ),
    )
    urgent_at = models.DateTimeField(_("urgent since"), null=True, blank=True)
    urgent_by = staff_reference(_("marked urgent by"), db_index=False)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_tickets",
        db_index=False,
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
    last_public_reply_at = models.DateTimeField(
        _("last public reply"), null=True, blank=True, help_text=_("Our latest reply to them.")
    )
    customer_replied_at = models.DateTimeField(
        _("customer replied"),
        null=True,
        blank=True,
        help_text=_(
            "The requester's latest message since our last public reply; empty once we reply."
        ),
    )
    customer_reply_notice_at = models.DateTimeField(
        _("customer reply notice sent"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When staff were last told of a customer reply (replies in a burst: one notice)."
        ),
    )
    next_response_due_at = models.DateTimeField(_("next response due"), null=True, blank=True)
    l2_news_at = models.DateTimeField(
        _("L2 news"),
        null=True,
        blank=True,
        help_text=_(
            "L2 commented, changed a progress label, linked a fix or closed the issue since the "
            "partner was last told (the oldest such news). Cleared by a public reply or a "
            "dismissal with a reason."
        ),
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    # Where triage had left the ticket when it was resolved (or closed without being
    # resolved): a reopening goes back there (tickets.services.status.reopen_status).
    resolved_from_status = models.CharField(
        _("resolved from status"),
        max_length=12,
        choices=Status.choices,
        blank=True,
        default="",
        db_default="",
    )
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
            *TICKET_KEY_INDEXES,
            *TICKET_DESK_INDEXES,
            *TICKET_REPORT_INDEXES,
        ]
        constraints = [
            # varchar_pattern_ops: equality and LIKE 'prefix%' from one index (PostgreSQL;
            # other databases ignore the operator class).
            models.UniqueConstraint(
                fields=["token"], name="ticket_token_unique", opclasses=["varchar_pattern_ops"]
            ),
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
