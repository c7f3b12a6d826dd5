"""An agent's own canned responses: list (with the shared ones), create, edit, delete.

Shared responses are read-only here (managers keep them in the back office);
a personal one is found only among the agent's own, so a colleague's is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from desk.access import REPLY, agent, desk_view, forbidden
from desk.forms import CannedResponseForm
from tickets import services
from tickets.models import CannedResponse


def _list_url() -> str:
    return reverse("desk:canned_list")


def _render(
    request: HttpRequest, form: CannedResponseForm, editing: CannedResponse | None, status: int
) -> HttpResponse:
    user = agent(request)
    return render(
        request,
        "desk/canned.html",
        {
            "form": form,
            "editing": editing,
            "shared": CannedResponse.objects.shared().active(),
            "personal": CannedResponse.objects.personal_to(user),
        },
        status=status,
    )


def _saved(
    request: HttpRequest, form: CannedResponseForm, act: Callable[[dict[str, Any]], Any]
) -> HttpResponse | None:
    """Run the service on a valid form: the way back to the list, or None (errors on the form)."""
    try:
        act(form.cleaned_data)
    except ValidationError as error:
        for field, errors in getattr(error, "message_dict", {None: error.messages}).items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
        return None
    return HttpResponseRedirect(_list_url())


def _own(request: HttpRequest, canned_id: int) -> CannedResponse:
    found = CannedResponse.objects.personal_to(agent(request)).filter(pk=canned_id).first()
    if found is None:
        if CannedResponse.objects.filter(pk=canned_id, owner__isnull=True).exists():
            raise services.NotYourCannedResponse
        raise Http404
    return found


@desk_view(REPLY)
def canned_list(request: HttpRequest) -> HttpResponse:
    """The shared responses, the agent's own, and a form for a new one."""
    form = CannedResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _saved(
            request,
            form,
            lambda data: services.canned_create(
                by=agent(request),
                title=data["title"],
                body=data["body"],
                set_status=data["set_status"],
            ),
        )
        if done:
            messages.success(request, _("Your canned response was saved."))
            return done
    return _render(request, form, None, 400 if request.method == "POST" else 200)


@desk_view(REPLY)
def canned_edit(request: HttpRequest, canned_id: int) -> HttpResponse:
    try:
        canned = _own(request, canned_id)
    except services.NotYourCannedResponse as refused:
        return forbidden(request, str(refused))
    initial = {"title": canned.title, "body": canned.body, "set_status": canned.set_status}
    form = CannedResponseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = _saved(
            request,
            form,
            lambda data: services.canned_update(
                canned=canned,
                by=agent(request),
                title=data["title"],
                body=data["body"],
                set_status=data["set_status"],
            ),
        )
        if done:
            messages.success(request, _("Your canned response was saved."))
            return done
    return _render(request, form, canned, 400 if request.method == "POST" else 200)


@require_POST
@desk_view(REPLY)
def canned_delete(request: HttpRequest, canned_id: int) -> HttpResponse:
    try:
        canned = _own(request, canned_id)
    except services.NotYourCannedResponse as refused:
        return forbidden(request, str(refused))
    services.canned_delete(canned=canned, by=agent(request))
    messages.success(request, _("“%(title)s” was deleted.") % {"title": canned.title})
    return HttpResponseRedirect(_list_url())
