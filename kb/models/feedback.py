"""What readers tell us: "did this help?" votes, and suggestions shown and followed."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kb.models.articles import Article

QUERY_MAX_LENGTH = 200  # stored and searched; longer input is cut


class ArticleVote(models.Model):
    """ "Did this help?" from one anonymous visitor for one article; they may change it."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="votes", verbose_name=_("article")
    )
    visitor_key = models.CharField(_("visitor"), max_length=64)
    helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), blank=True, max_length=1000)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "visitor_key"], name="kb_one_vote_per_visitor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article}: {_('yes') if self.helpful else _('no')}"


class SuggestionSource(models.TextChoices):
    CONTACT_FORM = "contact_form", _("Contact Us form")
    AGENT_REPLY = "agent_reply", _("Agent reply box")
    KB_SEARCH = "kb_search", _("Knowledge base search")


class SuggestionKind(models.TextChoices):
    IMPRESSION = "impression", _("Shown")
    CLICK = "click", _("Clicked")
    # The person left the Contact Us form from this article: answered without a ticket.
    ANSWERED = "answered", _("Answered, no ticket")


class SuggestionEventQuerySet(models.QuerySet["SuggestionEvent"]):
    def impressions(self) -> SuggestionEventQuerySet:
        return self.filter(kind=SuggestionKind.IMPRESSION)

    def clicks(self) -> SuggestionEventQuerySet:
        return self.filter(kind=SuggestionKind.CLICK)


class SuggestionEvent(models.Model):
    """An article suggested (impression) or followed (click), for deflection reports.

    Written in bulk, one row per article shown, never updated; reports group
    them by source, article, day and visitor.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=SuggestionKind.choices)
    source = models.CharField(_("source"), max_length=20, choices=SuggestionSource.choices)
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="suggestion_events",
        verbose_name=_("article"),
    )
    query = models.CharField(_("query"), max_length=QUERY_MAX_LENGTH, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    visitor_key = models.CharField(_("visitor"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    objects = SuggestionEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("suggestion event")
        verbose_name_plural = _("suggestion events")
        indexes = [
            models.Index(fields=["source", "kind", "created_at"], name="kb_suggest_report"),
            models.Index(fields=["article", "kind", "created_at"], name="kb_suggest_article"),
            models.Index(
                fields=["visitor_key", "created_at"],
                name="kb_suggest_visitor",
                condition=~Q(visitor_key=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.article_id} · {self.source}"
