"""A staff member's own profile: the time zone the desk shows and reads times in, its language."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from desk.access import agent, desk_view
from desk.forms.profile import ProfileForm
from tickets.models import StaffProfile
from tickets.time_zones import describe_zone, profile_zone, staff_profile_of, staff_zone


@desk_view()
def profile(request: HttpRequest) -> HttpResponse:
    user = agent(request)
    instance = staff_profile_of(user) or StaffProfile(user=user)
    form = ProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(
            request,
            _("Saved. Times are now shown in %(zone)s.")
            % {"zone": describe_zone(profile_zone(saved))},
        )
        return HttpResponseRedirect(reverse("desk:profile"))
    return render(
        request,
        "desk/profile.html",
        {"form": form, "zone": describe_zone(staff_zone(user)), "now": timezone.now()},
        status=400 if request.method == "POST" else 200,
    )
