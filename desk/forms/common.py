"""What the desk's forms share: the loaded version, choices from the desk's lists, text fields.

Choices come from :class:`tickets.queues.DeskLists` (loaded once per page), so
rendering a form costs no queries; a posted id is turned into its row only when
the form is cleaned, and an id that names no such row is a form error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

BODY_MAX = 20_000
TEXT_MAX = 10_000
NOT_SET = ""


def choice_options(choices: Sequence[Any], current_id: int | None = None) -> list[tuple[str, str]]:
    """Active choices, plus the current one if it has since been switched off."""
    return [(str(c.id), c.label) for c in choices if c.active or c.id == current_id]


def set_choices(form: forms.Form, name: str, choices: list[tuple[str, Any]]) -> None:
    cast(forms.ChoiceField, form.fields[name]).choices = choices


def text_field(label: Any, *, max_length: int = TEXT_MAX, required: bool = False,
               rows: int = 3) -> forms.CharField:  # fmt: skip
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class VersionedForm(forms.Form):
    """Carries the version of the ticket the agent loaded (optimistic locking)."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


def resolve_choice(model: Any, pk: str, field: str) -> Any:
    if pk in (None, ""):
        return None
    try:
        return model.objects.get(pk=int(pk))
    except (model.DoesNotExist, ValueError):
        raise ValidationError({field: _("That choice does not exist any more.")}) from None
