"""Sections and articles: what an article is, who may read it, and its stored HTML.

Articles are written in Markdown; the sanitised HTML and a plain-text copy are
stored beside the source when an article is saved (``kb.services``), so pages
serve stored HTML and search reads stored text. On PostgreSQL a database
trigger keeps ``search_vector`` (title > summary and tags > body) in step with
those columns; on SQLite the column exists but stays empty (``kb.search``
matches words there instead).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from helpdesk.fields import staff_reference
from helpdesk.settings_languages import LANGUAGE_CODE
from helpdesk.translated import translated, translations_field
from kb.html import ARTICLE_POLICY
from kb.rendering import render_markdown

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

# PostgreSQL text search configurations by language (migration 0006): each is the
# language's own (stop words, stemming) with accents removed first, so "donnees"
# and "données" are one word. The trigger (migration 0007) builds each article's
# vector with the configuration of the article's language; a search in a language
# goes through :func:`search_config`.
SEARCH_CONFIGS = {
    "en": "kb_english",
    "fr": "kb_french",
    "es": "kb_spanish",
    "pt": "kb_portuguese",
}
DEFAULT_SEARCH_LANGUAGE = "en"
SEARCH_CONFIG = SEARCH_CONFIGS[DEFAULT_SEARCH_LANGUAGE]


def search_config(language: str | None = None) -> str:
    """The text search configuration for ``language`` ("fr", "pt-br"…), English if we have none."""
    code = (language or DEFAULT_SEARCH_LANGUAGE).lower().split("-")[0]
    return SEARCH_CONFIGS.get(code, SEARCH_CONFIG)


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal (staff only)")


class Section(models.Model):
    """A group of articles within one product, e.g. "Exporting data"."""

    # Kept in other languages too (the admin's inputs per language: catalog.translation_admin).
    translatable = ("title", "description")

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="kb_sections", verbose_name=_("product")
    )
    title = models.CharField(_("title"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, db_index=False)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # {"fr": {"title": "…", "description": "…"}}; English where blank (helpdesk.translated).
    translations = translations_field()

    class Meta:
        ordering = ["product__position", "position", "title"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(fields=["product", "slug"], name="kb_section_slug_per_product")
        ]

    def __str__(self) -> str:
        return f"{self.product}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("kb:section", args=[self.product.slug, self.slug])

    @property
    def display_title(self) -> str:
        """The title in the reader's language."""
        return translated(self, "title")

    @property
    def display_description(self) -> str:
        return translated(self, "description")


class ArticleQuerySet(models.QuerySet["Article"]):
    """Reads of articles, by who is looking.

    ``listed_for`` is what lists, search and suggestions show: published
    articles, internal ones only to staff. ``viewable_by`` is what an article
    page may show: the same, and for staff any draft or archived article too
    (a preview).
    """

    def published(self) -> ArticleQuerySet:
        return self.filter(status=Status.PUBLISHED)

    def public(self) -> ArticleQuerySet:
        return self.filter(visibility=Visibility.PUBLIC)

    def listed_for(self, user: User | AnonymousUser | None) -> ArticleQuerySet:
        articles = self.published()
        if user is not None and user.is_active and user.is_staff:
            return articles
        return articles.public()

    def viewable_by(self, user: User | AnonymousUser | None) -> ArticleQuerySet:
        if user is not None and user.is_active and user.is_staff:
            return self.all()
        return self.published().public()

    def showing_image(self, url: str) -> ArticleQuerySet:
        """Articles whose stored HTML shows the image at ``url`` (an ArticleImage's address)."""
        return self.filter(body_html__contains=f'src="{url}"')


class Article(models.Model):
    """A support article: Markdown source, stored sanitised HTML, status and visibility."""

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="kb_articles", verbose_name=_("product")
    )
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="articles", verbose_name=_("section")
    )
    # An article is written in one language. A translation is its own row, with
    # its own slug, status, revisions and views, pointing at the English original
    # it translates; the original and its translations share product and section.
    # A code of settings.LANGUAGES, checked in clean() rather than as choices, so
    # that adding a language is a line in settings and not a migration.
    language = models.CharField(
        _("language"), max_length=10, default=LANGUAGE_CODE, db_default=LANGUAGE_CODE
    )
    translation_of = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        # kb_article_one_translation_each (translation_of, language) serves the lookups.
        db_index=False,
        related_name="translations",
        verbose_name=_("translation of"),
        help_text=_("The English article this one translates; empty for an original."),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, db_index=False)
    summary = models.CharField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("One or two sentences shown in lists, search results and suggestions."),
    )
    body = models.TextField(_("body (Markdown)"), blank=True)
    body_html = models.TextField(_("body (HTML)"), blank=True, editable=False)
    body_text = models.TextField(_("body (plain text)"), blank=True, editable=False)
    # The fingerprint of the sanitising policy body_html was cleaned with (kb.html).
    html_policy = models.CharField(_("HTML policy"), max_length=64, blank=True, editable=False)
    tags = models.CharField(
        _("tags"),
        max_length=300,
        blank=True,
        help_text=_("Comma-separated, e.g. data export, user management."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order within its section; lower comes first.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(
        _("updated"),
        default=timezone.now,
        editable=False,
        help_text=_("When the content last changed or was last reviewed."),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    reviewed_at = models.DateTimeField(_("last reviewed"), null=True, blank=True, editable=False)
    created_by = staff_reference(_("created by"), editable=False)
    updated_by = staff_reference(_("updated by"), editable=False)
    view_count = models.PositiveIntegerField(_("views"), default=0, editable=False)
    # Filled by a trigger on PostgreSQL (migration 0002); always empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "language", "slug"], name="kb_article_slug_per_language"
            ),
            models.UniqueConstraint(
                fields=["translation_of", "language"], name="kb_article_one_translation_each"
            ),
            models.CheckConstraint(
                condition=models.Q(translation_of__isnull=True) | ~models.Q(language=LANGUAGE_CODE),
                name="kb_article_translation_not_in_english",
            ),
        ]
        indexes = [
            models.Index(
                fields=["product", "language", "status", "visibility"], name="kb_article_listing"
            ),
            models.Index(fields=["section", "status", "position"], name="kb_article_section"),
            models.Index(fields=["status", "-view_count"], name="kb_article_popular"),
            # Both GIN indexes exist only on PostgreSQL: migration 0002 creates
            # them there and records them in the state on every database.
            GinIndex(fields=["search_vector"], name="kb_article_search"),
            GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="kb_article_title_trgm"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("kb:article", args=[self.product.slug, self.slug])

    def clean(self) -> None:
        if self.section_id and self.product_id and self.section.product_id != self.product_id:
            raise ValidationError(
                {"section": _("Choose a section of the article's product (%(product)s).")},
                params={"product": self.product},
            )
        self.clean_translation()

    def clean_translation(self) -> None:
        if self.language not in dict(settings.LANGUAGES):
            raise ValidationError(
                {"language": _("Choose one of the site's languages.")}, code="invalid_choice"
            )
        original = self.translation_of
        if original is None:
            return
        if original.translation_of_id is not None or original.language != LANGUAGE_CODE:
            raise ValidationError(
                {"translation_of": _("A translation translates an English original article.")}
            )
        if self.language == LANGUAGE_CODE:
            raise ValidationError(
                {"language": _("A translation is written in a language other than English.")}
            )
        if original.product_id != self.product_id or original.section_id != self.section_id:
            raise ValidationError(
                {"section": _("A translation is in the same product and section as its original.")}
            )

    @property
    def original_id(self) -> int | None:
        """The id of the English article this is, or translates: one id per subject."""
        return self.translation_of_id or self.pk

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def is_public(self) -> bool:
        return self.is_published and self.visibility == Visibility.PUBLIC

    @property
    def html_is_current(self) -> bool:
        return self.html_policy == ARTICLE_POLICY.fingerprint

    @property
    def safe_body_html(self) -> str:
        """The body as pages show it, never cleaned by an older, laxer policy.

        The stored HTML when today's article policy cleaned it; otherwise the
        Markdown is rendered again through today's policy (``kb_refresh_html``
        stores that, so this is only until the command has run).
        """
        return self.body_html if self.html_is_current else render_markdown(self.body)

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in (t.strip() for t in self.tags.split(",")) if tag]
