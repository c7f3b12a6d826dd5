"""Admin forms for rows with text in several languages (helpdesk.translated).

An admin writes a translation the way they write the English: one input per
language and field ("Name (French)", "Definition (Spanish)"), grouped by language
below the row's own fields. The form packs them into the row's ``translations``
(which it does not show as JSON); a blank input means "use the English".
Whatever the inputs do not cover (a language no longer offered, another field)
is kept as it was.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from helpdesk.translated import other_languages


def translation_input(field: str, code: str) -> str:
    """The form field that holds ``field`` in language ``code`` (``name_pt_br``)."""
    return f"{field}_{code.replace('-', '_')}"


def language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


class TranslationsFormMixin(forms.BaseForm):
    """Fills the per-language inputs from ``instance.translations`` and packs them back."""

    instance: models.Model
    translatable: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = getattr(self.instance, "translations", None) or {}
        for code in other_languages():
            for field in self.translatable:
                name = translation_input(field, code)
                if name in self.fields and name not in self.initial:
                    self.initial[name] = (stored.get(code) or {}).get(field, "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        packed = {code: dict(fields) for code, fields in self._stored().items()}
        for code in other_languages():
            texts = packed.setdefault(code, {})
            for field in self.translatable:
                text = (cleaned.get(translation_input(field, code)) or "").strip()
                if text:
                    texts[field] = text
                else:
                    texts.pop(field, None)
            if not texts:
                del packed[code]
        self.instance.translations = packed  # type: ignore[attr-defined]
        return cleaned

    def _stored(self) -> dict[str, dict[str, str]]:
        stored = getattr(self.instance, "translations", None)
        return stored if isinstance(stored, dict) else {}


def translations_form(model: type[models.Model], fields: tuple[str, ...]) -> type[forms.ModelForm]:
    """A ModelForm for ``model`` with an input per other language for each of ``fields``,
    shaped like the English one (one line for a name, a text box for a description)."""
    declared: dict[str, Any] = {}
    for code in other_languages():
        for field in fields:
            # A text column (translatable fields are), not a relation.
            model_field = cast(models.Field, model._meta.get_field(field))
            widget = (
                forms.Textarea(attrs={"rows": 2})
                if isinstance(model_field, models.TextField)
                else forms.TextInput(attrs={"class": "vTextField"})
            )
            declared[translation_input(field, code)] = forms.CharField(
                label=_("%(field)s (%(language)s)")
                % {"field": capfirst(model_field.verbose_name), "language": language_name(code)},
                required=False,
                max_length=getattr(model_field, "max_length", None),
                widget=widget,
            )
    meta = type("Meta", (), {"model": model, "exclude": ["translations"]})
    attrs = {**declared, "Meta": meta, "translatable": fields}
    return type(
        f"{model.__name__}TranslationsForm", (TranslationsFormMixin, forms.ModelForm), attrs
    )


class TranslatedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose model's ``translatable`` fields get an input per other language,
    one fieldset per language after the row's own fields."""

    exclude = ["translations"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        fields = tuple(getattr(self.model, "translatable", ()))
        kwargs.setdefault("form", translations_form(self.model, fields))
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(getattr(self.model, "translatable", ()))
        inputs = {translation_input(f, code) for code in other_languages() for f in fields}
        own = [name for name in self.get_fields(request, obj) if name not in inputs]
        return [
            (None, {"fields": own}),
            *(
                (
                    language_name(code),
                    {"fields": [translation_input(f, code) for f in fields]},
                )
                for code in other_languages()
            ),
        ]
