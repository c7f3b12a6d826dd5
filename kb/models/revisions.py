"""An article's history: one row per change, with the content as it was before."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.fields import staff_reference
from kb.models.articles import Article


class RevisionKind(models.TextChoices):
    CREATED = "created", _("Created")
    EDITED = "edited", _("Edited")
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Unpublished")
    ARCHIVED = "archived", _("Archived")
    REVIEWED = "reviewed", _("Marked reviewed")


class ArticleRevision(models.Model):
    """One change to an article: who, when, what kind, and the content as it was before."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("article")
    )
    editor = staff_reference(_("editor"))
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    kind = models.CharField(_("change"), max_length=12, choices=RevisionKind.choices)
    change_note = models.CharField(_("change note"), max_length=300, blank=True)
    # The content before this change (empty for the first revision).
    title = models.CharField(_("previous title"), max_length=200, blank=True)
    summary = models.CharField(_("previous summary"), max_length=300, blank=True)
    body = models.TextField(_("previous body"), blank=True)
    diff = models.TextField(_("diff"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")

    def __str__(self) -> str:
        return f"{self.article} · {self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"
