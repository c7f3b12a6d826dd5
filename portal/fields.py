"""The portal's own text fields and widgets: clear messages for what people paste in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.memo import active_rows
from catalog.models import Category
from portal.kinds import kind_of

no_nul = ProhibitNullCharactersValidator(
    message=gettext_lazy(
        "This text contains an invisible null character (\\0); please remove it and try again."
    )
)


class TextField(forms.CharField):
    """A text field with a clearer message for the NUL character."""

    default_validators = [no_nul]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # CharField adds Django's own NUL validator; ours replaces it.
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ] + [no_nul]


class LineField(TextField):
    """One line of text: line breaks are refused rather than silently joined."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and ("\r" in value or "\n" in value):
            raise ValidationError(
                _("Keep this to one line: it contains a line break."), code="line_break"
            )


def textarea(rows: int = 3, **attrs: Any) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


class CategoryRadioSelect(forms.RadioSelect):
    """Radio buttons that say which kind of request each choice is, so the page shows the
    parts of the form that kind asks for (``data-kind``, read by contact.js)."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        instance = getattr(option["value"], "instance", None)
        kind = kind_of(instance) if isinstance(instance, Category) else None
        if kind is not None:
            option["attrs"]["data-kind"] = str(kind)
        return option


class CatalogChoiceIterator(ModelChoiceIterator):
    """The active rows each process keeps (:func:`catalog.memo.active_rows`), in the
    model's order: listing the choices costs no query."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for row in active_rows(self.queryset.model).values():
            yield self.choice(row)

    def __len__(self) -> int:
        return len(active_rows(self.queryset.model)) + (self.field.empty_label is not None)

    def __bool__(self) -> bool:
        return self.field.empty_label is not None or bool(active_rows(self.queryset.model))


class CatalogChoiceField(forms.ModelChoiceField):
    """An active hub, product or category, found among the rows each process keeps, named
    in the reader's language.

    Both the choices and the chosen value come from :func:`catalog.memo.active_rows`
    (the queryset names the model), so rendering and checking a form cost no query.
    """

    iterator = CatalogChoiceIterator

    def label_from_instance(self, obj: Any) -> str:
        """The row's name in the reader's language (hubs have only one)."""
        return getattr(obj, "display_name", None) or str(obj)

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if isinstance(value, self.queryset.model):  # type: ignore[union-attr]
            value = value.pk
        try:
            row = active_rows(self.queryset.model).get(int(str(value)))  # type: ignore[union-attr]
        except (TypeError, ValueError):
            row = None
        if row is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return row
