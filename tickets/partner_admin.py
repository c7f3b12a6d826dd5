"""The back office's partners with *merge into…*: duplicates added while triaging are merged
by a manager, their tickets and requesters moved to the partner that stays.

The taxonomy's admin lives in catalog (which knows nothing of tickets); this
extends its partner admin with the action, which needs the ticket services.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.admin import PartnerAdmin as CatalogPartnerAdmin
from catalog.models import Partner
from tickets import services


class MergeIntoForm(ActionForm):
    into = forms.ModelChoiceField(
        queryset=Partner.objects.filter(is_active=True).select_related("hub"),
        required=False,
        label=gettext_lazy("into"),
        help_text=gettext_lazy("For “Merge into…”: the partner that stays."),
    )


class PartnerAdmin(CatalogPartnerAdmin):
    action_form = MergeIntoForm
    actions = ["merge_into"]

    @admin.action(
        description=gettext_lazy("Merge the selected partners into… (choose it beside)"),
        permissions=["change"],
    )
    def merge_into(self, request: HttpRequest, queryset: QuerySet[Partner]) -> None:
        # The admin has checked the action form (the action's choices are its own).
        raw = str(request.POST.get("into", ""))
        into = (
            Partner.objects.filter(pk=int(raw), is_active=True).first() if raw.isdigit() else None
        )
        if into is None:
            self.message_user(
                request, _("Choose the partner to merge into, then run the action again."),
                messages.ERROR,
            )  # fmt: skip
            return
        moved = 0
        merged = []
        for duplicate in queryset.exclude(pk=into.pk).order_by("pk"):
            moved += services.partner_merge(
                duplicate=duplicate,
                into=into,
                by=request.user if isinstance(request.user, User) else None,
            )
            merged.append(duplicate.name)
        self.message_user(
            request,
            _("Merged %(names)s into %(into)s; %(count)d ticket(s) moved.")
            % {"names": ", ".join(merged) or "—", "into": into.name, "count": moved},
            messages.SUCCESS,
        )


admin.site.unregister(Partner)
admin.site.register(Partner, PartnerAdmin)
