"""The extra fields a product's reports ask for (``Product.report_fields``), in any language.

Each is ``{"name": "dashboard", "label": "Dashboard", "help": "…"}``; its label and
help may be given in the site's other languages too, as a ``"translations"`` object
shaped like a translated row's (helpdesk.translated):
``"translations": {"fr": {"label": "Tableau de bord", "help": "…"}}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from helpdesk.translated import translated_text, validate_translations

FIELD_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
# What a report field's translations may say: its label and its help, nothing else.
TRANSLATED_KEYS = frozenset({"label", "help"})


def validate_report_fields(value: object) -> None:
    """Product report fields: a list of {"name", "label", optional "help" and "translations"}."""
    if not isinstance(value, list):
        raise ValidationError(_("Report fields must be a list."))
    names = set()
    for item in value:
        if not isinstance(item, dict) or not item.get("name") or not item.get("label"):
            raise ValidationError(_("Each report field needs a name and a label."))
        if not FIELD_NAME_RE.match(str(item["name"])):
            raise ValidationError(
                _("Field name %(name)s must be lower case letters, digits and underscores."),
                params={"name": item["name"]},
            )
        if item["name"] in names:
            raise ValidationError(
                _("Field %(name)s is listed twice."), params={"name": item["name"]}
            )
        names.add(item["name"])
        _validate_report_field_translations(item)


def _validate_report_field_translations(item: Mapping[str, Any]) -> None:
    """A spec's ``"translations"``: its label and help in the site's other languages."""
    if "translations" not in item:
        return
    value = item["translations"]
    try:
        validate_translations(value)
    except ValidationError as error:
        raise ValidationError(
            _("Field %(name)s: %(error)s"),
            params={"name": item["name"], "error": " ".join(error.messages)},
        ) from error
    for fields in value.values():
        unknown = set(fields) - TRANSLATED_KEYS
        if unknown:
            raise ValidationError(
                _("Field %(name)s: only its label and help are translated, not %(keys)s."),
                params={"name": item["name"], "keys": ", ".join(sorted(unknown))},
            )


def report_field_text(spec: Mapping[str, Any], key: str, language: str | None = None) -> str:
    """A report field's ``"label"`` or ``"help"`` in ``language`` (the active one by
    default); its English text when that language has none."""
    translations = spec.get("translations")
    english = spec.get(key)
    return translated_text(
        translations if isinstance(translations, dict) else {},
        key,
        english if isinstance(english, str) else "",
        language,
    )
