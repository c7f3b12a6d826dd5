"""The queue's forms: an action on the ticked tickets, and saving a view."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Category, Impact, IssueTag
from desk.forms.common import (
    set_choices,
)
from tickets.queues import DeskLists
from tickets.services import BULK_ACTIONS


class BulkForm(forms.Form):
    """An action on the tickets ticked in a queue; each carries the version it was listed at."""

    action = forms.ChoiceField(choices=[(a, a) for a in BULK_ACTIONS])
    selected = forms.CharField(required=False)  # many "id:version" values, read in clean
    assignee = forms.CharField(required=False)
    category = forms.CharField(required=False)
    impact = forms.CharField(required=False)
    tags = forms.MultipleChoiceField(required=False)

    def __init__(self, *args: Any, lists: DeskLists, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lists = lists
        set_choices(self, "tags", [(str(c.id), c.label) for c in lists.tags])

    def clean_selected(self) -> dict[int, int]:
        selection: dict[int, int] = {}
        for raw in self.data.getlist("selected") if hasattr(self.data, "getlist") else []:
            pk, _sep, version = str(raw).partition(":")
            if not (pk.isdigit() and version.isdigit()):
                raise ValidationError(_("The selection was not understood; reload the list."))
            selection[int(pk)] = int(version)
        if not selection:
            raise ValidationError(_("Tick the tickets to change first."))
        return selection

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        action = data.get("action")
        if action == "assign":
            raw = data.get("assignee") or ""
            if raw in ("", "none"):
                data["assignee_user"] = None
            else:
                user = (
                    User.objects.filter(pk=int(raw), is_staff=True, is_active=True).first()
                    if raw.isdigit()
                    else None
                )
                if user is None:
                    self.add_error("assignee", _("Choose an agent to assign the tickets to."))
                data["assignee_user"] = user
        elif action in ("category", "impact"):
            model = Category if action == "category" else Impact
            raw = data.get(action) or ""
            data[f"{action}_obj"] = None
            if raw:
                obj = model.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
                if obj is None:
                    self.add_error(action, _("That choice does not exist."))
                data[f"{action}_obj"] = obj
        elif action in ("add_tags", "set_tags"):
            data["tag_objs"] = list(IssueTag.objects.filter(pk__in=data.get("tags") or []))
            if action == "add_tags" and not data["tag_objs"]:
                self.add_error("tags", _("Choose the tags to add."))
        return data


class SavedViewForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name this view"), max_length=80)
    queue = forms.CharField(max_length=20, widget=forms.HiddenInput)
    query = forms.CharField(max_length=1000, required=False, widget=forms.HiddenInput)
