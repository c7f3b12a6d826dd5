"""Forms of the public knowledge base pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kb.services import COMMENT_MAX_LENGTH


class FeedbackForm(forms.Form):
    """ "Did this help?" with an optional comment."""

    helpful = forms.TypedChoiceField(
        label=_("Did this help?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        error_messages={"required": _("Choose yes or no.")},
    )
    comment = forms.CharField(
        label=_("What could we add or make clearer? (optional)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
