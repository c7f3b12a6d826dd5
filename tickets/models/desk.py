"""What the agent desk keeps beyond the ticket itself: canned responses and saved views."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Impact
from tickets.models.ticket import Status

# The placeholders a canned response may use, and nothing else: each names one
# plain value, so a response can never reach other attributes of the objects.
CANNED_PLACEHOLDERS = {
    "requester.first_name": _("the requester's first name (or their address)"),
    "requester.name": _("the requester's full name (or their address)"),
    "requester.email": _("the requester's email address"),
    "ticket.reference": _("the ticket's reference, e.g. HD-1042"),
    "ticket.subject": _("the ticket's subject"),
    "ticket.product": _("the ticket's product"),
    "agent.first_name": _("your first name"),
    "agent.name": _("your full name"),
}
PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")


def validate_placeholders(body: str) -> None:
    unknown = sorted(
        {m.group(1) for m in PLACEHOLDER_RE.finditer(body or "")} - set(CANNED_PLACEHOLDERS)
    )
    if unknown:
        raise ValidationError(
            _("Unknown placeholder %(names)s. Use: %(allowed)s."),
            params={
                "names": ", ".join(f"{{{{ {name} }}}}" for name in unknown),
                "allowed": ", ".join(f"{{{{ {name} }}}}" for name in CANNED_PLACEHOLDERS),
            },
        )


class CannedResponseQuerySet(models.QuerySet):
    def active(self) -> CannedResponseQuerySet:
        return self.filter(is_active=True)

    def shared(self) -> CannedResponseQuerySet:
        return self.filter(owner__isnull=True)

    def personal_to(self, user: Any) -> CannedResponseQuerySet:
        return self.filter(owner_id=user.pk) if user is not None and user.pk else self.none()

    def visible_to(self, user: Any) -> CannedResponseQuerySet:
        """The shared responses and ``user``'s own personal ones (never a colleague's)."""
        mine = models.Q(owner_id=user.pk) if user is not None and user.pk else models.Q(pk=None)
        return self.filter(models.Q(owner__isnull=True) | mine)


class CannedResponse(models.Model):
    """A reply agents send often, with placeholders and optional field changes on sending.

    Shared ones (no owner) are managed by managers in the back office; an agent's
    personal ones (``owner``) are theirs alone, kept on the desk's own page.
    """

    title = models.CharField(_("title"), max_length=120)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_responses",
        verbose_name=_("personal to"),
        help_text=_("Empty for a response shared with the whole team."),
    )
    body = models.TextField(
        _("text"),
        validators=[validate_placeholders],
        help_text=_(
            "Plain text. Placeholders: {{ requester.first_name }}, {{ requester.name }}, "
            "{{ ticket.reference }}, {{ ticket.subject }}, {{ ticket.product }}, "
            "{{ agent.first_name }}, {{ agent.name }}."
        ),
    )
    set_status = models.CharField(
        _("then set status to"),
        max_length=12,
        blank=True,
        choices=[
            (Status.OPEN, Status.OPEN.label),
            (Status.WAITING, Status.WAITING.label),
            (Status.RESOLVED, Status.RESOLVED.label),
        ],
        help_text=_("Optional: the ticket's status after the reply is sent."),
    )
    set_category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("and set category to"),
    )
    set_impact = models.ForeignKey(
        Impact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("and set impact to"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CannedResponseQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")
        constraints = [
            models.UniqueConstraint(
                fields=["title"],
                condition=models.Q(owner__isnull=True),
                name="canned_shared_title_unique",
                violation_error_message=_("A shared canned response has this title already."),
            ),
            models.UniqueConstraint(
                fields=["owner", "title"],
                condition=models.Q(owner__isnull=False),
                name="canned_personal_title_unique",
                violation_error_message=_("You have a canned response with this title already."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_field_changes(self) -> bool:
        return bool(self.set_status or self.set_category_id or self.set_impact_id)


class SavedView(models.Model):
    """An agent's named queue with its filters and sort, kept as the queue's query string."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_views",
        verbose_name=_("agent"),
    )
    name = models.CharField(_("name"), max_length=80)
    queue = models.CharField(_("queue"), max_length=20)
    query = models.CharField(_("filters and sort"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_per_agent")
        ]

    def __str__(self) -> str:
        return self.name
