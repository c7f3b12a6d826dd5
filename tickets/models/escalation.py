"""Escalations to L2: the GitHub issue a ticket follows, and what came back from it.

One issue may be followed by many tickets (many partners hit the same bug), so
the issue is a row of its own and each ticket holds one link to it. ``tickets``
only records what it knows about the issue; ``integrations.github`` files it,
reads it back and calls :mod:`tickets.escalation` with what changed.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.fields import staff_reference
from tickets.models.ticket import Ticket


class IssueState(models.TextChoices):
    PENDING = "pending", _("Escalation pending")
    OPEN = "open", _("Open on GitHub")
    CLOSED = "closed", _("Closed on GitHub")
    FAILED = "failed", _("Escalation pending — needs attention")


class EscalationIssue(models.Model):
    """A GitHub issue that L2 works in, filed by the help desk or linked to it."""

    repository = models.CharField(
        _("repository"), max_length=140, help_text=_("owner/name, lower case.")
    )
    number = models.PositiveIntegerField(_("issue number"), null=True, blank=True)
    url = models.URLField(_("issue address"), max_length=500, blank=True)
    title = models.CharField(_("title"), max_length=256, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=IssueState.choices, default=IssueState.PENDING
    )
    state_reason = models.CharField(
        _("state reason"), max_length=30, blank=True, help_text=_("completed, not_planned, …")
    )
    state_changed_at = models.DateTimeField(
        _("state changed on GitHub"),
        null=True,
        blank=True,
        help_text=_("When GitHub last opened or closed it; older news is ignored."),
    )
    technical_summary = models.TextField(_("technical summary"), blank=True)
    include_contact = models.BooleanField(_("requester's contact details included"), default=False)
    filed_for = models.ForeignKey(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filed for ticket"),
        help_text=_("Empty when an existing issue was linked rather than filed."),
    )
    created_by = staff_reference(_("escalated by"))
    error = models.TextField(
        _("problem"), blank=True, help_text=_("Why filing or reading the issue did not work.")
    )
    create_attempted_at = models.DateTimeField(
        _("first sent to GitHub"),
        null=True,
        blank=True,
        help_text=_(
            "Set before the issue is sent: a later attempt looks for it on GitHub first, "
            "so a lost answer never makes a second issue."
        ),
    )
    last_synced_at = models.DateTimeField(_("last read from GitHub"), null=True, blank=True)
    comments_read_until = models.DateTimeField(
        _("comments read until"),
        null=True,
        blank=True,
        help_text=_(
            "The reconcile task has read every comment up to here. Moved only by a complete "
            "read, so a comment whose webhook was missed is still found later."
        ),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("escalation issue")
        verbose_name_plural = _("escalation issues")
        constraints = [
            models.UniqueConstraint(
                fields=["repository", "number"],
                condition=models.Q(number__isnull=False),
                name="escalation_issue_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "last_synced_at"], name="escalation_issue_sync"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """owner/name#12 as GitHub writes it, or the repository while it is being filed."""
        return f"{self.repository}#{self.number}" if self.number else self.repository

    @property
    def needs_attention(self) -> bool:
        return self.state == IssueState.FAILED


class EscalationLink(models.Model):
    """A ticket follows one issue; what L2 does there comes back to the ticket."""

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, related_name="escalation_link", verbose_name=_("ticket")
    )
    issue = models.ForeignKey(
        EscalationIssue,
        on_delete=models.PROTECT,
        related_name="links",
        verbose_name=_("issue"),
    )
    linked_by = staff_reference(_("linked by"))
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)
    draft_reply = models.TextField(
        _("draft update for the partner"),
        blank=True,
        help_text=_("Written when L2 closes or reopens the issue, for the agent to review."),
    )
    draft_created_at = models.DateTimeField(_("draft written"), null=True, blank=True)

    class Meta:
        verbose_name = _("escalation link")
        verbose_name_plural = _("escalation links")

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.issue}"


class EscalationComment(models.Model):
    """An L2 comment already copied to the linked tickets, so it is never copied twice."""

    issue = models.ForeignKey(
        EscalationIssue,
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=_("issue"),
    )
    comment_id = models.BigIntegerField(_("GitHub comment id"), unique=True)
    author = models.CharField(_("author"), max_length=100, blank=True)
    url = models.URLField(_("address"), max_length=500, blank=True)
    commented_at = models.DateTimeField(_("commented"), null=True, blank=True)
    copied_at = models.DateTimeField(_("copied"), default=timezone.now)

    class Meta:
        ordering = ["commented_at", "id"]
        verbose_name = _("L2 comment")
        verbose_name_plural = _("L2 comments")

    def __str__(self) -> str:
        return f"{self.issue} comment {self.comment_id}"


class L2NewsKind(models.TextChoices):
    COMMENT = "comment", _("L2 comment")
    LABEL = "label", _("Progress label")
    PULL_REQUEST = "pull_request", _("Linked pull request")
    CLOSED = "closed", _("Issue closed")


class L2News(models.Model):
    """One piece of L2's news on a ticket, to pass on to the partner.

    ``key`` names the news (a comment id, a label change, a pull request, a close), so
    the same webhook delivered twice or read again by the reconcile task marks once.
    The ticket's :attr:`~tickets.models.Ticket.l2_news_at` is the marker the desk
    filters on; these rows say what the news was, for the workspace and the draft.
    """

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="l2_news", verbose_name=_("ticket")
    )
    issue = models.ForeignKey(
        EscalationIssue,
        on_delete=models.CASCADE,
        related_name="news",
        verbose_name=_("issue"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=L2NewsKind.choices)
    key = models.CharField(_("key"), max_length=200)
    summary = models.TextField(_("what L2 said or did"), blank=True)
    author = models.CharField(_("author"), max_length=100, blank=True)
    url = models.URLField(_("address"), max_length=500, blank=True)
    happened_at = models.DateTimeField(_("on GitHub"), null=True, blank=True)
    created_at = models.DateTimeField(_("received"), default=timezone.now)
    cleared_at = models.DateTimeField(
        _("passed on or dismissed"), null=True, blank=True, db_index=True
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("L2 news")
        verbose_name_plural = _("L2 news")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "key"], name="l2_news_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.ticket_id}"
