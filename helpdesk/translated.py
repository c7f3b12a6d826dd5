"""Text kept as data in several languages: taxonomy names, definitions, section titles.

A row holds its English text in its ordinary columns and the other languages in
one ``translations`` JSON column, ``{"fr": {"name": "…", "definition": "…"}}``.
We chose this over per-language columns (django-modeltranslation): the taxonomy is
a few dozen rows read from a per-process memo (catalog.memo), so the lookup is made
when the text is shown, in whatever language the request is in, and adding a
language is a line in settings, not a migration of every translated table.
A missing or blank translation falls back to the English column.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


def other_languages() -> list[str]:
    """The codes of the languages a translation may be written in (all but the default)."""
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def translated(obj: Any, field: str, language: str | None = None) -> str:
    """``obj.<field>`` in ``language`` (the active one by default), English when untranslated."""
    return translated_text(
        getattr(obj, "translations", None) or {}, field, getattr(obj, field), language
    )


def translated_text(
    translations: dict[str, Any], field: str, english: str, language: str | None = None
) -> str:
    """``translations[language][field]`` if written, else ``english``."""
    code = (language or translation.get_language() or settings.LANGUAGE_CODE).lower()
    text = (translations.get(code) or {}).get(field)
    return text if isinstance(text, str) and text.strip() else english


def validate_translations(value: object) -> None:
    """``{"<language>": {"<field>": "<text>"}}`` for the site's languages, text only."""
    if not isinstance(value, dict):
        raise ValidationError(_("Translations must be an object keyed by language."))
    allowed = set(other_languages())
    for code, fields in value.items():
        if code not in allowed:
            raise ValidationError(
                _("“%(code)s” is not one of the site's other languages (%(allowed)s)."),
                params={"code": code, "allowed": ", ".join(sorted(allowed))},
            )
        if not isinstance(fields, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in fields.items()
        ):
            raise ValidationError(
                _("The translations for “%(code)s” must map field names to text."),
                params={"code": code},
            )


def translations_field() -> models.JSONField:
    """The ``translations`` column a model with translatable text declares.

    ``{}`` is the database's default too: a row written without the model layer
    (raw SQL, COPY) is untranslated, not refused."""
    return models.JSONField(
        _("translations"),
        default=dict,
        db_default={},
        blank=True,
        validators=[validate_translations],
        help_text=_("The text in the site's other languages; English is used where blank."),
    )
