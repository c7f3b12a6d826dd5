"""Where an article sits: its product, section, position and slug.

A section belongs to one product; a slug is unique per product and language (a
translation may keep its original's); a translation sits where its English
original does, and moves when its original moves. ``kb.services.article_save``
calls these; nothing else writes an article's place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kb.models import Article, ArticleRevision, RevisionKind
from kb.search_index import search_index_memo

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# What a translation shares with its original; the original's value wins.
SHARED = ("product_id", "section_id", "position")


def unique_slug(article: Article) -> str:
    base = slugify(article.slug or article.title)[:180] or "article"
    # Unique per product and language: a translation may keep its original's slug.
    others = Article.objects.filter(
        product_id=article.product_id, language=article.language
    ).exclude(pk=article.pk)
    slug, n = base, 2
    while others.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def check_place(article: Article, before: Article | None) -> None:
    """A section of the article's product; a translation where its original is."""
    if article.translation_of_id:
        original = Article.objects.get(pk=article.translation_of_id)
        for field in SHARED:
            setattr(article, field, getattr(original, field))
        article.translation_of = original
        article.section = original.section
        article.clean_translation()
    elif (
        before is not None and article.language != before.language and before.translations.exists()
    ):
        raise ValidationError({"language": _("An article with translations stays in English.")})
    if article.section_id and article.section.product_id != article.product_id:
        raise ValidationError(
            {"section": _("Choose a section of the article's product (%(product)s).")},
            params={"product": article.product},
        )


def translations_follow(original: Article, before: Article, *, by: User | None) -> None:
    """An original moved (product, section, position): its translations move with it.

    The same few queries for one translation or twenty: one UPDATE moves them all
    and one INSERT gives each its "edited" revision. Their text is unchanged, so
    nothing is rendered again and ``updated_at`` stays (as when each was saved
    alone); the search vector is the database trigger's. ``update()`` sends no
    signal, so the search index kept in memory is told here.
    """
    if original.translation_of_id or all(
        getattr(before, f) == getattr(original, f) for f in SHARED
    ):
        return
    translations = list(original.translations.select_for_update().order_by("pk"))
    if not translations:
        return
    shared = {f: getattr(original, f) for f in SHARED}
    if original.product_id != before.product_id:
        _free_slugs(translations, shared)
    Article.objects.filter(pk__in=[t.pk for t in translations]).update(**shared, updated_by=by)
    note = _("Moved with its original.")
    ArticleRevision.objects.bulk_create(
        ArticleRevision(
            article=t,
            editor=by,
            kind=RevisionKind.EDITED,
            change_note=note,
            title=t.title,
            summary=t.summary,
            body=t.body,
        )
        for t in translations
    )
    search_index_memo.changed()


def _free_slugs(translations: list[Article], shared: dict[str, int]) -> None:
    """Translations about to join another product: each whose slug an article in its
    language has there moves first, under a slug of its own (one query when none does)."""
    taken = set(
        Article.objects.filter(
            product_id=shared["product_id"], slug__in={t.slug for t in translations}
        ).values_list("language", "slug")
    )
    for translation in translations:
        if (translation.language, translation.slug) not in taken:
            continue
        for field, value in shared.items():
            setattr(translation, field, value)
        translation.slug = unique_slug(translation)
        Article.objects.filter(pk=translation.pk).update(slug=translation.slug, **shared)
