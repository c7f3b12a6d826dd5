"""An agent's personal canned response: title, text with placeholders, the status after."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from desk.forms.common import BODY_MAX, text_field
from tickets.models import Status
from tickets.models.desk import CANNED_PLACEHOLDERS, validate_placeholders


class CannedResponseForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    body = text_field(gettext_lazy("Text"), max_length=BODY_MAX, required=True, rows=8)
    set_status = forms.ChoiceField(
        label=gettext_lazy("Then set the ticket to"),
        required=False,
        choices=[
            ("", gettext_lazy("— as chosen when sending —")),
            (Status.WAITING, Status.WAITING.label),
            (Status.OPEN, Status.OPEN.label),
            (Status.RESOLVED, Status.RESOLVED.label),
        ],
    )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        validate_placeholders(body)
        return body

    @staticmethod
    def placeholders() -> list[tuple[str, str]]:
        return [(f"{{{{ {name} }}}}", str(help_)) for name, help_ in CANNED_PLACEHOLDERS.items()]
