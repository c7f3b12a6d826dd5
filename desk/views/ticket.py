"""The ticket workspace: header, thread, triage panel, reply box, merge (what it shows).

What it shows comes from the read model :func:`tickets.workspace.ticket_workspace`;
this adds the forms and the way through the queue the agent came from. The
actions posted from it are in :mod:`desk.views.actions`; attachments are served here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from desk.access import agent, desk_view, staff_ticket
from desk.forms import (
    DismissL2NewsForm,
    EscalateForm,
    LinkIssueForm,
    MergeForm,
    ReplyForm,
    TriageForm,
    UrgentForm,
)
from desk.forms.partners import NewPartnerForm, organisation_suggestion
from desk.thread_html import thread_html
from desk.views.queue import parse_from
from tickets import access, queues
from tickets.downloads import attachment_response
from tickets.models import Ticket
from tickets.services import StaleTicket
from tickets.workflow import InvalidTransition
from tickets.workspace import THREAD_LIMIT, Workspace, ticket_workspace, workspace_ticket


def _context(
    request: HttpRequest,
    ticket: Ticket,
    *,
    lists: queues.DeskLists | None = None,
    triage_form: TriageForm | None = None,
    reply_form: ReplyForm | None = None,
    merge_form: MergeForm | None = None,
    escalate_form: EscalateForm | None = None,
    escalate_preview: dict[str, Any] | None = None,
    link_form: LinkIssueForm | None = None,
    partner_form: NewPartnerForm | None = None,
    dismiss_l2_news_form: DismissL2NewsForm | None = None,
    stale: StaleTicket | None = None,
    tried: list[str] | None = None,
    closed_refusal: str = "",
) -> dict[str, Any]:
    user = agent(request)
    lists = lists or queues.desk_lists(user)
    seen = ticket_workspace(ticket, user=user, whole_thread=request.GET.get("thread") == "all")
    return {
        **vars(seen),
        **_navigation(request, ticket, user, lists, seen.now),
        **_forms(
            ticket,
            seen,
            lists,
            triage_form=triage_form,
            reply_form=reply_form,
            merge_form=merge_form,
            escalate_form=escalate_form,
            link_form=link_form,
            partner_form=partner_form,
            dismiss_l2_news_form=dismiss_l2_news_form,
        ),
        "lists": lists,
        "escalation_issue": seen.escalation.issue if seen.escalation else None,
        "escalate_preview": escalate_preview,
        "stale": stale,
        "tried": tried or [],
        "closed_refusal": closed_refusal,
        "impact_definitions": [(c, c.extra) for c in lists.impacts if c.active],
        "thread_html": thread_html(seen.thread, ticket.pk),
        "thread_limit": THREAD_LIMIT,
    }


def _forms(
    ticket: Ticket, seen: Workspace, lists: queues.DeskLists, **given: Any
) -> dict[str, Any]:
    """The forms of the panels this agent sees on this ticket (``given``: posted ones).

    A panel the page does not show gets no form: on a closed ticket (most of them) none
    is built, which saved a few milliseconds of choices and field copies per page.
    """
    version = {"version": ticket.version}
    forms: dict[str, Any] = dict.fromkeys([*given, "urgent_form", "organisation_suggestion"])
    if seen.can_escalate:
        forms["escalate_form"] = given["escalate_form"] or EscalateForm(initial=version)
        forms["link_form"] = given["link_form"] or LinkIssueForm(initial=version)
    if seen.can_triage:
        forms["triage_form"] = given["triage_form"] or TriageForm(ticket=ticket, lists=lists)
        forms["merge_form"] = given["merge_form"] or MergeForm(initial=version)
        urgent = "0" if ticket.is_urgent else "1"
        forms["urgent_form"] = UrgentForm(initial={**version, "urgent": urgent})
        forms |= _partner_context(ticket, lists, given["partner_form"])
    if seen.can_note:
        # The drafted customer update goes only into a box that can send it to the
        # customer: an L2 engineer's box takes internal notes, never the customer draft.
        forms["reply_form"] = given["reply_form"] or ReplyForm(
            initial={**version, "body": seen.l2_draft if seen.can_reply else ""},
            can_reply=seen.can_reply,
        )
    if seen.can_reply:
        dismiss = given["dismiss_l2_news_form"] or DismissL2NewsForm(initial=version)
        forms["dismiss_l2_news_form"] = dismiss
    return forms


def _partner_context(
    ticket: Ticket, lists: queues.DeskLists, form: NewPartnerForm | None
) -> dict[str, Any]:
    """The inline new-partner form, prefilled with what the requester wrote (if anything)."""
    suggestion = organisation_suggestion(ticket, lists)
    initial = {
        "version": ticket.version,
        "name": suggestion.written if suggestion else "",
        "hub": ticket.hub_id or "",
    }
    return {
        "partner_form": form or NewPartnerForm(initial=initial, lists=lists),
        "organisation_suggestion": suggestion,
    }


def _navigation(
    request: HttpRequest, ticket: Ticket, user: Any, lists: queues.DeskLists, now: Any
) -> dict[str, Any]:
    """Previous / next in the queue the agent came from, and the way back to it."""
    origin = request.GET.get("from") or request.POST.get("from") or ""
    parsed = parse_from(origin)
    if parsed is None:
        back = reverse("desk:queue", kwargs={"queue": queues.DEFAULT_QUEUE})
        return {"origin": origin, "from_query": "", "previous_id": None, "next_id": None,
                "back_url": back}  # fmt: skip
    slug, params = parsed
    query = queues.parse_queue_query(slug, params, lists)
    previous_id, next_id = queues.neighbours(query, ticket, user, now)
    back = reverse("desk:queue", kwargs={"queue": slug})
    return {
        "origin": origin,
        "from_query": urlencode({"from": origin}),
        "previous_id": previous_id,
        "next_id": next_id,
        "back_url": f"{back}?{query.querystring()}" if query.querystring() else back,
    }


def redirect_to_ticket(request: HttpRequest, ticket: Ticket) -> HttpResponseRedirect:
    url = reverse("desk:ticket", kwargs={"ticket_id": ticket.pk})
    origin = request.POST.get("from", "")
    if parse_from(origin) is not None:
        url += "?" + urlencode({"from": origin})
    return HttpResponseRedirect(url)


def render_workspace(
    request: HttpRequest, ticket: Ticket, status: int = 200, **kwargs: Any
) -> HttpResponse:
    return render(request, "desk/ticket.html", _context(request, ticket, **kwargs), status=status)


def fresh(ticket: Ticket) -> Ticket:
    """The ticket as it is now, with what the workspace shows."""
    found = workspace_ticket(ticket.pk)
    if found is None:
        raise Ticket.DoesNotExist
    return found


def error_messages(error: ValidationError | InvalidTransition | ValueError) -> list[str]:
    if isinstance(error, ValidationError):
        return list(error.messages)
    return [str(error)]


@require_GET
@desk_view()
def workspace(request: HttpRequest, ticket_id: int) -> HttpResponse:
    # desk_view has checked the agent's access; 404 as staff_ticket does.
    ticket = workspace_ticket(ticket_id)
    if ticket is None:
        raise Http404(_("There is no ticket %(id)s.") % {"id": ticket_id})
    return render_workspace(request, ticket)


@require_GET
@desk_view()
def attachment(request: HttpRequest, ticket_id: int, attachment_id: int) -> HttpResponseBase:
    """A file from a ticket's thread, fetched through the ticket the agent may see.

    Never by the attachment's number alone: the day some agents see only some
    tickets, an attachment of a ticket they cannot see stays a 404.
    """
    ticket = staff_ticket(request, ticket_id, full=False)
    found = access.ticket_attachment(ticket, attachment_id)
    response = attachment_response(found) if found is not None else None
    if response is None:
        raise Http404
    return response
