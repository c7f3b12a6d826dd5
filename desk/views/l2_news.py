"""Dismissing L2's news from the workspace: the partner need not be told, and why."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from desk.access import REPLY, agent, desk_view, staff_ticket
from desk.forms import DismissL2NewsForm
from desk.views.actions import _workspace_form_action, closed_guard
from desk.views.ticket import redirect_to_ticket
from tickets import services


@require_POST
@desk_view(REPLY)
@closed_guard
def dismiss_l2_news(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = staff_ticket(request, ticket_id)
    _done, refused = _workspace_form_action(
        request,
        ticket,
        form=DismissL2NewsForm(request.POST),
        name="dismiss_l2_news_form",
        act=lambda data: services.ticket_dismiss_l2_news(
            ticket=ticket,
            by=agent(request),
            reason=data["reason"],
            expected_version=data["version"],
        ),
    )
    if refused:
        return refused
    messages.success(request, _("L2 update dismissed; the reason is in the history."))
    return redirect_to_ticket(request, ticket)
