"""The back office's side of translated articles and sections.

On an original's change page: its translations, and an "Add translation" link
per missing language that opens the add form with the language, the original,
its product and section filled in. Filters for originals, translations and
what is not yet translated. (A section's title and description per language are
edited like the taxonomy's text, with catalog.translation_admin.)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from helpdesk.translated import other_languages
from kb.models import Article


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
