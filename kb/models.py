"""The knowledge base: product sections, articles, their history, votes and suggestion tracking.

Articles are written in Markdown; the sanitised HTML and a plain-text copy are
stored beside the source when an article is saved (``kb.services``), so pages
serve stored HTML and search reads stored text. On PostgreSQL a database
trigger keeps ``search_vector`` (title > summary and tags > body) in step with
those columns; on SQLite the column exists but stays empty (``kb.search``
matches words there instead).
"""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import validate_image_file_extension
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Product

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

# Text search configuration used by the trigger (migration 0002) and by kb.search.
SEARCH_CONFIG = "english"
IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
IMAGE_MAX_BYTES = getattr(settings, "KB_IMAGE_MAX_BYTES", 5 * 1024 * 1024)
IMAGE_MAX_PIXELS = 40_000_000  # 40 megapixels: far above a screenshot, far below a bomb
QUERY_MAX_LENGTH = 200  # stored and searched; longer input is cut


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal (staff only)")


class Section(models.Model):
    """A group of articles within one product, e.g. "Exporting data"."""

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="kb_sections", verbose_name=_("product")
    )
    title = models.CharField(_("title"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, db_index=False)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

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


class Article(models.Model):
    """A support article: Markdown source, stored sanitised HTML, status and visibility."""

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="kb_articles", verbose_name=_("product")
    )
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="articles", verbose_name=_("section")
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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("updated by"),
    )
    view_count = models.PositiveIntegerField(_("views"), default=0, editable=False)
    # Filled by a trigger on PostgreSQL (migration 0002); always empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(fields=["product", "slug"], name="kb_article_slug_per_product")
        ]
        indexes = [
            models.Index(fields=["product", "status", "visibility"], name="kb_article_listing"),
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

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def is_public(self) -> bool:
        return self.is_published and self.visibility == Visibility.PUBLIC

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in (t.strip() for t in self.tags.split(",")) if tag]


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
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("editor"),
    )
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


def image_upload_to(instance: ArticleImage, filename: str) -> str:
    """A random name: what the uploader called the file is never used as a path."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"kb/images/{uuid.uuid4().hex}{suffix}"


def validate_image_size(file: object) -> None:
    size = getattr(file, "size", 0) or 0
    if size > IMAGE_MAX_BYTES:
        raise ValidationError(
            _("The image is %(size)s MB; the limit is %(limit)s MB."),
            params={
                "size": f"{size / 1024 / 1024:.1f}",
                "limit": f"{IMAGE_MAX_BYTES / 1024 / 1024:.0f}",
            },
        )


def image_format(file: object) -> str:
    """The Pillow format of an uploaded image (e.g. "PNG"), after a full check.

    Raises ValidationError unless the file really is a PNG, JPEG, GIF or WebP
    image that is not truncated, forged or absurdly large in pixels.
    """
    from PIL import Image, UnidentifiedImageError

    stream = getattr(file, "file", file)
    try:
        stream.seek(0)  # type: ignore[attr-defined]
        with Image.open(stream) as probe:  # type: ignore[arg-type]
            kind = probe.format or ""
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("This file is not an image we can read (use PNG, JPEG, GIF or WebP).")
        ) from None
    finally:
        stream.seek(0)  # type: ignore[attr-defined]
    if kind not in IMAGE_FORMATS:
        raise ValidationError(_("Use a PNG, JPEG, GIF or WebP image."))
    if width * height > IMAGE_MAX_PIXELS:
        raise ValidationError(_("The image is too large in pixels; scale it down."))
    return kind


def validate_image_content(file: object) -> None:
    image_format(file)


class ArticleImage(models.Model):
    """An image uploaded for articles; pasted into Markdown by its URL."""

    image = models.ImageField(
        _("image"),
        upload_to=image_upload_to,
        validators=[validate_image_file_extension, validate_image_size, validate_image_content],
        width_field="width",
        height_field="height",
    )
    alt_text = models.CharField(
        _("description"), max_length=200, help_text=_("What the image shows, for screen readers.")
    )
    content_type = models.CharField(max_length=20, editable=False)
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self) -> str:
        return self.alt_text or self.filename

    def get_absolute_url(self) -> str:
        return reverse("kb:image", args=[self.filename])

    @property
    def filename(self) -> str:
        return PurePath(self.image.name or "").name

    @property
    def markdown(self) -> str:
        alt = self.alt_text.replace("[", "(").replace("]", ")")
        return f"![{alt}]({self.get_absolute_url()})"


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
