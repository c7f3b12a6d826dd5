"""The back office's staff profiles: each person's time zone and hub.

Managers keep them on their own page (they may not change accounts, which would
let them grant roles); superusers also find them inline on each user.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from tickets.models import StaffProfile
from tickets.time_zones import time_zone_choices


class StaffProfileForm(forms.ModelForm):
    class Meta:
        model = StaffProfile
        fields = ["user", "time_zone", "hub"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].widget = forms.Select(
            choices=time_zone_choices(_("— the hub's time zone, else the default —"))
        )
        if "user" in self.fields:
            staff = User.objects.filter(is_staff=True).order_by("username")
            cast(forms.ModelChoiceField, self.fields["user"]).queryset = staff


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    form = StaffProfileForm
    list_display = ["user", "time_zone", "hub"]
    list_filter = ["hub"]
    list_select_related = ["user", "hub"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    form = StaffProfileForm
    fields = ["time_zone", "hub"]
    can_delete = False
    extra = 1
    max_num = 1


class StaffUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, StaffProfileInline]


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
