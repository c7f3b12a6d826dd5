"""Calling the team's attention from the workspace: mark a ticket urgent, or not any more."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from desk.access import TRIAGE, agent, desk_view, staff_ticket
from desk.forms import UrgentForm
from desk.views.actions import _stale, closed_guard
from desk.views.ticket import redirect_to_ticket
from tickets import services
from tickets.services import StaleTicket


@require_POST
@desk_view(TRIAGE)
@closed_guard
def urgent(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The workspace's *Mark urgent* / *Not urgent any more* button."""
    ticket = staff_ticket(request, ticket_id)
    form = UrgentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The page was out of date; reload it and try again."))
        return redirect_to_ticket(request, ticket)
    data = form.cleaned_data
    try:
        services.ticket_set_urgent(
            ticket=ticket,
            by=agent(request),
            urgent=data["urgent"],
            reason=data["reason"],
            expected_version=data["version"],
        )
    except StaleTicket as stale:
        return _stale(request, ticket, stale)
    except ValidationError as refused:
        for message in refused.messages:
            messages.error(request, message)
        return redirect_to_ticket(request, ticket)
    if data["urgent"]:
        messages.success(request, _("Marked urgent; the team is alerted in Slack."))
    else:
        messages.success(request, _("No longer urgent; the usual SLA applies again."))
    return redirect_to_ticket(request, ticket)
