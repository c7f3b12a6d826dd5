"""The triage panel's partner: a hub's partners as the hub changes (an htmx partial), a new
partner added inline, or the suggested partner chosen in one click."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalog.models import Hub, Partner
from desk.access import TRIAGE, agent, desk_view, staff_ticket
from desk.forms.partners import PARTNER_SEARCH_MAX, NewPartnerForm, UsePartnerForm, partners_of
from desk.views.actions import REFUSALS, _stale, closed_guard
from desk.views.ticket import error_messages, redirect_to_ticket, render_workspace
from tickets import queues, services
from tickets.models import Ticket
from tickets.services import StaleTicket


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


@require_GET
@desk_view(TRIAGE)
def partner_options(request: HttpRequest) -> HttpResponse:
    """The partner select of the triage panel: the chosen hub's partners matching the search.

    Swapped in by htmx when the hub changes or a search is typed; the partner
    selected stays selected (and listed) so nothing is lost by looking.
    """
    lists = queues.desk_lists(agent(request))
    selected = _int(request.GET.get("partner", ""))
    search = request.GET.get("partner_search", "")[:PARTNER_SEARCH_MAX]
    listed = partners_of(lists, _int(request.GET.get("hub", "")), search, current_id=selected)
    return render(
        request,
        "desk/_partner_select.html",
        {
            "partner_options": [("", _("— not set —"))] + [(str(c.id), c.label) for c in listed],
            "selected": str(selected or ""),
            "searched": bool(search.strip()),
        },
    )


@require_POST
@desk_view(TRIAGE)
@closed_guard
def new_partner(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Add the partner typed in the triage panel (or use the suggested one); tag the ticket."""
    ticket = staff_ticket(request, ticket_id)
    lists = queues.desk_lists(agent(request))
    if "partner" in request.POST:
        return _use_partner(request, ticket)
    form = NewPartnerForm(request.POST, lists=lists)
    if not form.is_valid():
        return render_workspace(request, ticket, status=400, lists=lists, partner_form=form)
    data = form.cleaned_data
    try:
        partner = services.ticket_add_partner(
            ticket=ticket,
            by=agent(request),
            name=data["name"],
            hub=Hub.objects.get(pk=data["hub"]),
            expected_version=data["version"],
        )
    except StaleTicket as stale:
        return _stale(request, ticket, stale, lists=lists, partner_form=form)
    except REFUSALS as error:
        for message in error_messages(error):
            form.add_error(None, message)
        return render_workspace(request, ticket, status=400, lists=lists, partner_form=form)
    messages.success(
        request,
        _("Partner %(partner)s added in %(hub)s and set on the ticket.")
        % {"partner": partner.name, "hub": partner.hub.name},
    )
    return redirect_to_ticket(request, ticket)


def _use_partner(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    form = UsePartnerForm(request.POST)
    partner = None
    if form.is_valid():
        partner = (
            Partner.objects.select_related("hub")
            .filter(pk=form.cleaned_data["partner"], is_active=True)
            .first()
        )
    if partner is None:
        messages.error(request, _("That partner does not exist any more."))
        return redirect_to_ticket(request, ticket)
    try:
        services.ticket_set_partner(
            ticket=ticket,
            by=agent(request),
            partner=partner,
            expected_version=form.cleaned_data["version"],
        )
    except StaleTicket as stale:
        return _stale(request, ticket, stale)
    messages.success(request, _("Partner set to %(partner)s.") % {"partner": partner.name})
    return redirect_to_ticket(request, ticket)
