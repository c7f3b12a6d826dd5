"""Authoring the knowledge base in the back office.

Every article save, publication and review goes through ``kb.services``, so
each change leaves a revision with its editor. The Markdown body has a preview
button that asks the server for the sanitised HTML (the same renderer the
public pages use); its script is a static file, as the CSP requires.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from catalog.translation_admin import TranslatedAdmin
from kb import services
from kb.admin_translations import KindFilter, UntranslatedFilter, translations_overview
from kb.localised import article_url
from kb.models import (
    Article,
    ArticleImage,
    ArticleRevision,
    ArticleVote,
    Section,
    SuggestionEvent,
)
from kb.rendering import render_markdown


def _editor(request: HttpRequest) -> User:
    """The admin only lets authenticated staff in; say so to the type checker."""
    return cast(User, request.user)


class MarkdownWidget(forms.Textarea):
    """A Markdown textarea with a "Preview" button and the place the preview appears."""

    def __init__(self, preview_url: str = "", attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={"rows": 24, "class": "vLargeTextField kb-markdown", **(attrs or {})}
        )
        self.preview_url = preview_url

    class Media:
        js = ["kb/markdown_preview.js"]
        css = {"all": ["kb/markdown_preview.css"]}

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        textarea = super().render(name, value, attrs, renderer)
        element_id = (attrs or {}).get("id", f"id_{name}")
        return format_html(
            '{}<div><button type="button" class="button" data-kb-preview="{}" data-url="{}" '
            'data-error="{}">{}</button> <span class="help">{}</span></div>'
            '<div id="{}-preview" class="kb-md-preview kb-article-body" hidden '
            'aria-live="polite"></div>',
            textarea,
            element_id,
            self.preview_url,
            _("The preview could not be made; try again."),
            _("Preview"),
            _("Shows the article as visitors will see it; updates as you type while open."),
            element_id,
        )


def site_languages() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]


class ArticleForm(forms.ModelForm):
    change_note = forms.CharField(
        label=_("Change note"),
        required=False,
        max_length=300,
        help_text=_("What you changed and why; kept in the history."),
    )

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "language",
            "translation_of",
            "product",
            "section",
            "summary",
            "body",
            "tags",
            "status",
            "visibility",
            "position",
        ]


class RevisionInline(admin.TabularInline):
    model = ArticleRevision
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "editor", "change_note", "changes"]
    readonly_fields = ["created_at", "kind", "editor", "change_note", "changes"]
    ordering = ["-created_at", "-pk"]
    verbose_name_plural = _("History")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ArticleRevision]:
        return super().get_queryset(request).select_related("editor")

    @admin.display(description=_("Changes"))
    def changes(self, revision: ArticleRevision) -> str:
        if not revision.diff:
            return "—"
        return format_html(
            "<details><summary>{}</summary><pre style='white-space: pre-wrap'>{}</pre></details>",
            _("Show the diff"),
            revision.diff,
        )


@admin.register(Section)
class SectionAdmin(TranslatedAdmin):  # a title and description per language, as the taxonomy
    list_display = ["title", "product", "position", "published_articles"]
    list_editable = ["position"]
    list_filter = ["product"]
    search_fields = ["title", "description"]
    list_select_related = ["product"]
    prepopulated_fields = {"slug": ["title"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Section]:
        return (
            super()
            .get_queryset(request)
            .annotate(n=Count("articles", filter=Q(articles__status="published")))
        )

    @admin.display(description=_("published articles"), ordering="n")
    def published_articles(self, section: Section) -> int:
        return section.n  # type: ignore[attr-defined]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = [
        "title",
        "language",
        "translation_of",
        "product",
        "section",
        "status",
        "visibility",
        "updated_at",
        "view_count",
        "helpful",
    ]
    list_filter = [
        "product",
        "section",
        "status",
        "visibility",
        "language",
        KindFilter,
        UntranslatedFilter,
    ]
    search_fields = ["title", "summary", "tags", "body"]
    list_select_related = ["product", "section", "translation_of"]
    prepopulated_fields = {"slug": ["title"]}
    raw_id_fields = ["translation_of"]
    readonly_fields = [
        "translations",
        "view_count",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "published_at",
        "reviewed_at",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "product", "section", "summary", "body", "tags"]}),
        (
            _("Language"),
            {
                "fields": ["language", "translation_of", "translations"],
                "description": _(
                    "A translation has its own slug, status and history; its product, "
                    "section and position are its original's."
                ),
            },
        ),
        (_("Publication"), {"fields": ["status", "visibility", "position", "change_note"]}),
        (
            _("Record"),
            {
                "fields": [
                    ("created_at", "created_by"),
                    ("updated_at", "updated_by"),
                    ("published_at", "reviewed_at"),
                    "view_count",
                ]
            },
        ),
    ]
    inlines = [RevisionInline]
    actions = ["publish", "unpublish", "archive", "mark_reviewed"]
    date_hierarchy = "updated_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                yes=Count("votes", filter=Q(votes__helpful=True)),
                votes_total=Count("votes"),
            )
        )

    @admin.display(description=_("translations"))
    def translations(self, article: Article) -> str:
        return translations_overview(article)

    def view_on_site(self, article: Article) -> str:
        # A translation's page is under its language's prefix (a staff preview of a draft too).
        return article_url(article)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.translation_of_id:
            # Its original's; kb.services moves translations with their original.
            fields += ["language", "translation_of", "product", "section", "position"]
        elif obj is not None and obj.translations.exists():
            fields += ["language"]  # an original with translations stays in English
        return fields

    @admin.display(description=_("helpful"), ordering="yes")
    def helpful(self, article: Article) -> str:
        total = article.votes_total  # type: ignore[attr-defined]
        if not total:
            return "—"
        return f"{article.yes}/{total}"  # type: ignore[attr-defined]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "language":  # a code in the model (no migration per language)
            return forms.ChoiceField(label=_("language"), choices=site_languages)
        if db_field.name == "body":
            kwargs["widget"] = MarkdownWidget(preview_url=reverse("admin:kb_article_preview"))
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_urls(self) -> list[URLPattern]:
        preview = self.admin_site.admin_view(require_POST(self.preview_view))
        return [path("preview/", preview, name="kb_article_preview"), *super().get_urls()]

    def preview_view(self, request: HttpRequest) -> JsonResponse:
        """The Markdown of the form, rendered and sanitised exactly as it will be served."""
        if not (self.has_change_permission(request) or self.has_add_permission(request)):
            raise PermissionDenied
        return JsonResponse({"html": render_markdown(request.POST.get("body", ""))})

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        services.article_save(
            article=obj, by=_editor(request), change_note=form.cleaned_data.get("change_note", "")
        )

    def _apply(self, request: HttpRequest, queryset: QuerySet[Article], action: Any) -> int:
        for article in queryset:
            action(article=article, by=_editor(request))
        return queryset.count()

    @admin.action(description=_("Publish selected articles"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        n = self._apply(request, queryset, services.article_publish)
        self.message_user(
            request, ngettext("%d article published.", "%d articles published.", n) % n
        )

    @admin.action(
        description=_("Unpublish selected articles (back to draft)"), permissions=["change"]
    )
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        n = self._apply(request, queryset, services.article_unpublish)
        self.message_user(
            request, ngettext("%d article unpublished.", "%d articles unpublished.", n) % n
        )

    @admin.action(description=_("Archive selected articles"), permissions=["change"])
    def archive(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        n = self._apply(request, queryset, services.article_archive)
        self.message_user(request, ngettext("%d article archived.", "%d articles archived.", n) % n)

    @admin.action(
        description=_("Mark selected articles reviewed (still correct)"), permissions=["change"]
    )
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        n = self._apply(request, queryset, services.article_mark_reviewed)
        self.message_user(
            request,
            ngettext("%d article marked reviewed.", "%d articles marked reviewed.", n) % n,
            messages.SUCCESS,
        )


class ArticleImageForm(forms.ModelForm):
    class Meta:
        model = ArticleImage
        fields = ["image", "alt_text"]


@admin.register(ArticleImage)
class ArticleImageAdmin(admin.ModelAdmin):
    form = ArticleImageForm
    list_display = ["thumbnail", "alt_text", "markdown_snippet", "uploaded_by", "created_at"]
    search_fields = ["alt_text"]
    list_select_related = ["uploaded_by"]
    readonly_fields = ["markdown_snippet", "thumbnail", "width", "height", "content_type"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # An uploaded file is never replaced in place: articles link to its name.
        return [*self.readonly_fields, "image"] if obj else list(self.readonly_fields)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["image", "alt_text"]
        return ["thumbnail", "alt_text", "markdown_snippet", "width", "height", "content_type"]

    @admin.display(description=_("Paste into an article"))
    def markdown_snippet(self, image: ArticleImage) -> str:
        if not image.pk:
            return "—"
        return format_html("<code>{}</code>", image.markdown)

    @admin.display(description=_("image"))
    def thumbnail(self, image: ArticleImage) -> str:
        if not image.pk:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" style="max-height: 4rem; max-width: 8rem">',
            image.get_absolute_url(),
            image.alt_text,
        )

    def save_model(self, request: HttpRequest, obj: ArticleImage, form: Any, change: bool) -> None:
        services.image_save(image=obj, by=_editor(request))


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the public pages: read here, never typed in."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ArticleVote)
class ArticleVoteAdmin(ReadOnlyAdmin):
    list_display = ["article", "helpful", "comment", "updated_at"]
    list_filter = ["helpful", "article__product"]
    search_fields = ["comment", "article__title"]
    list_select_related = ["article"]
    date_hierarchy = "updated_at"
    exclude = ["visitor_key"]


@admin.register(SuggestionEvent)
class SuggestionEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "source", "article", "position", "query"]
    list_filter = ["kind", "source", "article__product"]
    search_fields = ["query", "article__title"]
    list_select_related = ["article"]
    date_hierarchy = "created_at"
    exclude = ["visitor_key"]
