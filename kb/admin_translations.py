"""The back office's side of translated articles and sections.

On an original's change page: its translations, and an "Add translation" link
per missing language that opens the add form with the language, the original,
its product and section filled in. Filters for originals, translations and
what is not yet translated. The section form edits each language's title and
description as plain fields and packs them into ``Section.translations``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import format_lazy
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from helpdesk.translated import other_languages
from kb.models import Article, Section

SECTION_TEXT = ("title", "description")


def _language_name(code: str) -> str:
    return str(get_language_info(code)["name_local"])


def translations_overview(article: Article) -> str:
    """An original's translations, linked, and "Add translation" for each missing language."""
    if article.pk is None or article.translation_of_id:
        return "—"
    existing = {t.language: t for t in article.translations.all()}
    rows = []
    for code in other_languages():
        found = existing.get(code)
        if found is not None:
            link = format_html(
                '<a href="{}">{}</a> · {}',
                reverse("admin:kb_article_change", args=[found.pk]),
                found.title,
                found.get_status_display(),
            )
        else:
            query = urlencode(
                {
                    "language": code,
                    "translation_of": article.pk,
                    "product": article.product_id,
                    "section": article.section_id,
                    "position": article.position,
                    "visibility": article.visibility,
                }
            )
            link = format_html(
                '<a class="addlink" href="{}?{}">{}</a>',
                reverse("admin:kb_article_add"),
                query,
                _("Add translation"),
            )
        rows.append((code, _language_name(code), link))
    return format_html(
        '<ul class="kb-translations">{}</ul>',
        format_html_join("", '<li><strong lang="{}">{}</strong>: {}</li>', rows),
    )


class KindFilter(admin.SimpleListFilter):
    title = _("original or translation")
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("original", _("Originals")), ("translation", _("Translations"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> QuerySet[Article]:
        if self.value() == "original":
            return queryset.filter(translation_of__isnull=True)
        if self.value() == "translation":
            return queryset.filter(translation_of__isnull=False)
        return queryset


class UntranslatedFilter(admin.SimpleListFilter):
    """English originals still waiting for a translation into a language: the translators' list."""

    title = _("not yet translated into")
    parameter_name = "untranslated"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(code, _language_name(code)) for code in other_languages()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> QuerySet[Article]:
        code = self.value()
        if code not in other_languages():
            return queryset
        translated = Article.objects.filter(translation_of=OuterRef("pk"), language=code)
        return queryset.filter(language=settings.LANGUAGE_CODE).exclude(Exists(translated))


class SectionFormBase(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["product", "title", "slug", "description", "position"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        saved = self.instance.translations or {}
        for code in other_languages():
            for field in SECTION_TEXT:
                self.initial.setdefault(f"{field}_{code}", (saved.get(code) or {}).get(field, ""))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        packed: dict[str, dict[str, str]] = {}
        for code in other_languages():
            texts = {f: str(cleaned.get(f"{f}_{code}") or "").strip() for f in SECTION_TEXT}
            if any(texts.values()):
                packed[code] = {f: text for f, text in texts.items() if text}
        # Languages the site no longer offers are dropped (validate_translations refuses them).
        self.instance.translations = packed
        return cleaned


def _section_translation_fields() -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for code in other_languages():
        name = _language_name(code)
        fields[f"title_{code}"] = forms.CharField(
            label=format_lazy("{} ({})", _("title"), name), required=False, max_length=120
        )
        fields[f"description_{code}"] = forms.CharField(
            label=format_lazy("{} ({})", _("description"), name),
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
    return fields


# Declared on the class (not added in __init__) so that the admin's fieldsets may name them.
SectionForm = type("SectionForm", (SectionFormBase,), _section_translation_fields())


def section_fieldsets() -> Any:  # the admin's fieldsets type, built from lazy labels
    return [
        (None, {"fields": ["product", "title", "slug", "description", "position"]}),
        *(
            (
                format_lazy("{} · {}", _("Translation"), _language_name(code)),
                {"fields": [f"{f}_{code}" for f in SECTION_TEXT], "classes": ["collapse"]},
            )
            for code in other_languages()
        ),
    ]
