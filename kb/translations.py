"""Writing an article's translations: one row per language, saved like any article.

A translation is created here and then edited, published and reviewed through
``kb.services`` like its original, so it is rendered and sanitised, and every
change leaves a revision. Its product, section and position are its original's
(``kb.placement``, on every ``kb.services`` save, copies them and moves translations
with their original).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from helpdesk.translated import other_languages
from kb.models import Article, Status
from kb.services import article_save

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def article_translate(
    *,
    original: Article,
    language: str,
    title: str,
    body: str,
    slug: str = "",
    summary: str = "",
    tags: str = "",
    status: str = Status.DRAFT,
    visibility: str | None = None,
    by: User | None,
    change_note: str = "",
) -> Article:
    """``original`` written in ``language``: a new article, its first revision recorded.

    Refused (ValidationError) for English, a language the site does not offer, a
    translation of a translation, or a second translation into the same language.
    """
    if language not in other_languages():
        raise ValidationError(
            {"language": _("Choose one of the site's other languages to translate into.")}
        )
    original = Article.objects.select_for_update().get(pk=original.pk)
    if original.translations.filter(language=language).exists():
        raise ValidationError(
            {"language": _("This article already has a translation in that language.")}
        )
    translation = Article(
        translation_of=original,
        language=language,
        product_id=original.product_id,
        section_id=original.section_id,
        position=original.position,
        title=title,
        slug=slug,
        summary=summary,
        body=body,
        tags=tags,
        status=status,
        visibility=visibility or original.visibility,
    )
    translation.clean_translation()
    return article_save(article=translation, by=by, change_note=change_note)
