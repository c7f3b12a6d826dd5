"""A staff member's own profile on the desk: the time zone they read and type times in,
and the language the desk speaks to them."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _

from catalog.models import Hub
from tickets.models import StaffProfile
from tickets.time_zones import time_zone_choices


def language_choices() -> list[tuple[str, str]]:
    # Each language in its own name, so a colleague finds theirs whatever the page's.
    return [("", _("— the help desk's default —"))] + [
        (code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES
    ]


class ProfileForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=gettext_lazy("Your language"),
        choices=language_choices,
        required=False,
        help_text=gettext_lazy("The desk and the back office are shown in it."),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = StaffProfile
        fields = ["time_zone", "language", "hub"]
        labels = {"time_zone": gettext_lazy("Your time zone"), "hub": gettext_lazy("Your hub")}
        help_texts = {
            "time_zone": gettext_lazy(
                "Every time on the desk and in the emails you receive is shown in it, "
                "and the times you type are read in it."
            ),
            "hub": gettext_lazy("The hub you work for; its time zone is used if you choose none."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].widget = forms.Select(
            choices=time_zone_choices(_("— my hub's time zone —")),
            attrs={"class": "form-select"},
        )
        hub = cast(forms.ModelChoiceField, self.fields["hub"])
        # Active hubs, and the one already chosen if it has since been switched off.
        hub.queryset = Hub.objects.filter(Q(is_active=True) | Q(pk=self.instance.hub_id or 0))
        hub.empty_label = _("— none —")
