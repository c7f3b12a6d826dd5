"""The ticket workspace: header, thread, triage panel, reply box, merge; and its actions.

Every action posts the version of the ticket the agent loaded. If someone else
changed the ticket since, the action is refused with a clear message and the
workspace is shown again with the current ticket and what the agent typed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from desk.access import (
    ESCALATE,
    NOTE,
    REPLY,
    TRIAGE,
    agent,
    desk_view,
    forbidden,
    staff_ticket,
)
from desk.forms import AssignForm, EscalateForm, LinkIssueForm, MergeForm, ReplyForm, TriageForm
from desk.views.queue import parse_from
from tickets import desk_actions, escalation, queues
from tickets.desk_actions import StaleTicket
from tickets.filetypes import SAFE_CONTENT_TYPES
from tickets.models import (
    Attachment,
    CannedResponse,
    Message,
    MessageKind,
    SlaTarget,
    Status,
    Ticket,
    TicketEvent,
)
from tickets.workflow import InvalidTransition

RELATED_LIMIT = 10


def _thread(ticket: Ticket) -> list[dict[str, Any]]:
    """Messages and history events in time order (a fixed number of queries)."""
    items: list[dict[str, Any]] = []
    thread = (
        Message.objects.filter(ticket=ticket)
        .select_related("author_user", "author_requester")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "id"))
        )
        .order_by("created_at", "id")
    )
    for message in thread:
        items.append({"type": "message", "at": message.created_at, "message": message})
    for event in TicketEvent.objects.filter(ticket=ticket).order_by("created_at", "id"):
        if event.kind == "message":
            continue
        items.append({"type": "event", "at": event.created_at, "event": event})
    items.sort(key=lambda item: (item["at"], 0 if item["type"] == "message" else 1))
    return items


def _context(
    request: HttpRequest,
    ticket: Ticket,
    *,
    lists: queues.DeskLists | None = None,
    triage_form: TriageForm | None = None,
    reply_form: ReplyForm | None = None,
    merge_form: MergeForm | None = None,
    escalate_form: EscalateForm | None = None,
    link_form: LinkIssueForm | None = None,
    stale: StaleTicket | None = None,
    tried: list[str] | None = None,
) -> dict[str, Any]:
    user = agent(request)
    now = timezone.now()
    lists = lists or queues.desk_lists(user)
    can_triage = user.has_perm(TRIAGE)
    can_reply = user.has_perm(REPLY)
    clocks = {clock.target: clock for clock in ticket.sla_clocks.all()}
    first = clocks.get(SlaTarget.FIRST_RESPONSE)
    sla = queues.sla_state(
        ticket,
        now,
        warn_at=first.warn_at if first else None,
        warned=bool(first and first.warned_at),
    )
    canned = []
    if can_reply:
        for response in CannedResponse.objects.active().select_related(
            "set_category", "set_impact"
        ):
            canned.append(
                (response, desk_actions.canned_render(response, ticket=ticket, agent=user))
            )
    related = list(
        Ticket.objects.filter(Q(requester_id=ticket.requester_id) | Q(merged_into=ticket))
        .exclude(pk=ticket.pk)
        .select_related("requester")
        .only("pk", "subject", "status", "created_at", "merged_into_id", "requester__email")
        .order_by("-created_at", "-id")[:RELATED_LIMIT]
    )
    origin = request.GET.get("from") or request.POST.get("from") or ""
    previous_id = next_id = None
    from_query = ""
    parsed = parse_from(origin)
    if parsed is not None:
        slug, params = parsed
        query = queues.parse_queue_query(slug, params, lists)
        previous_id, next_id = queues.neighbours(query, ticket, user, now)
        from_query = urlencode({"from": origin})
        back = reverse("desk:queue", kwargs={"queue": slug})
        back_url = f"{back}?{query.querystring()}" if query.querystring() else back
    else:
        back_url = reverse("desk:queue", kwargs={"queue": queues.DEFAULT_QUEUE})
    thread = _thread(ticket)
    link = escalation.ticket_escalation(ticket)
    # L2 closed or reopened the issue: the agent's customer-safe update waits in the
    # reply box until a public reply goes out.
    draft = escalation.draft_to_show(
        link, (item["message"] for item in thread if item["type"] == "message")
    )
    return {
        "ticket": ticket,
        "lists": lists,
        "thread": thread,
        "escalation": link,
        "escalation_issue": link.issue if link else None,
        "l2_draft": draft,
        "escalate_form": escalate_form or EscalateForm(initial={"version": ticket.version}),
        "link_form": link_form or LinkIssueForm(initial={"version": ticket.version}),
        "clocks": clocks,
        "sla": sla,
        "now": now,
        "triage_form": triage_form or TriageForm(ticket=ticket, lists=lists),
        "reply_form": reply_form
        or ReplyForm(initial={"version": ticket.version, "body": draft}, can_reply=can_reply),
        "merge_form": merge_form or MergeForm(initial={"version": ticket.version}),
        "canned": canned,
        "related": related,
        "can_triage": can_triage,
        "can_reply": can_reply,
        "can_note": user.has_perm(NOTE),
        "can_escalate": user.has_perm(ESCALATE) and escalation.may_go_to_l2(ticket, link),
        "stale": stale,
        "tried": tried or [],
        "origin": origin,
        "from_query": from_query,
        "previous_id": previous_id,
        "next_id": next_id,
        "back_url": back_url,
        "impact_definitions": [(c, c.extra) for c in lists.impacts if c.active],
    }


def _redirect(request: HttpRequest, ticket: Ticket) -> HttpResponseRedirect:
    url = reverse("desk:ticket", kwargs={"ticket_id": ticket.pk})
    origin = request.POST.get("from", "")
    if parse_from(origin) is not None:
        url += "?" + urlencode({"from": origin})
    return HttpResponseRedirect(url)


def _render(request: HttpRequest, ticket: Ticket, status: int = 200, **kwargs: Any) -> HttpResponse:
    return render(request, "desk/ticket.html", _context(request, ticket, **kwargs), status=status)


def _fresh(ticket: Ticket) -> Ticket:
    from desk.access import workspace_tickets

    return workspace_tickets().get(pk=ticket.pk)


def _error_messages(
    error: ValidationError | InvalidTransition | ValueError | PermissionDenied,
) -> list[str]:
    if isinstance(error, ValidationError):
        return list(error.messages)
    return [str(error)]


@require_GET
@desk_view()
def workspace(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _render(request, staff_ticket(request, ticket_id))


@require_POST
@desk_view(TRIAGE)
def triage(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = staff_ticket(request, ticket_id)
    lists = queues.desk_lists(agent(request))
    form = TriageForm(request.POST, ticket=ticket, lists=lists)
    try:
        # A form built on an older ticket (its choices, e.g. the statuses allowed
        # then) is refused as stale before its fields are judged.
        posted_version: int | None = int(request.POST.get("version", ""))
    except ValueError:
        posted_version = None
    try:
        desk_actions.check_version(ticket=ticket, expected_version=posted_version)
        if not form.is_valid():
            return _render(request, ticket, status=400, lists=lists, triage_form=form)
        changes = form.changes()
        desk_actions.ticket_triage(
            ticket=ticket,
            by=agent(request),
            expected_version=form.cleaned_data["version"],
            **changes,
        )
    except StaleTicket as stale:
        tried = [
            f"{form.fields[name].label}: {_readable(form, name, values)}"
            for name, values in form.changed_since_loaded()
        ]
        current = _fresh(ticket)
        return _render(request, current, status=409, lists=lists, stale=stale, tried=tried)
    except (ValidationError, InvalidTransition, ValueError) as error:
        for message in _error_messages(error):
            form.add_error(None, message)
        return _render(request, ticket, status=400, lists=lists, triage_form=form)
    messages.success(request, _("Triage saved."))
    return _redirect(request, ticket)


def _readable(form: TriageForm, name: str, values: list[str]) -> str:
    field = form.fields[name]
    choices = dict(Status.choices) if name == "status" else dict(getattr(field, "choices", []))
    return ", ".join(str(choices.get(v, v)) for v in values if v) or "—"


@require_POST
@desk_view(NOTE)
def reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    user = agent(request)
    ticket = staff_ticket(request, ticket_id)
    can_reply = user.has_perm(REPLY)
    form = ReplyForm(request.POST, request.FILES, can_reply=can_reply)
    if request.POST.get("kind") == MessageKind.REPLY and not can_reply:
        return forbidden(
            request, _("Your role cannot send public replies; add an internal note instead.")
        )
    resolve = "resolve" in request.POST
    if not form.is_valid():
        return _render(request, ticket, status=400, reply_form=form)
    data = form.cleaned_data
    if data["kind"] == MessageKind.REPLY and data["canned_response"] is not None:
        canned = data["canned_response"]
        if (canned.set_category_id or canned.set_impact_id) and not user.has_perm(TRIAGE):
            return forbidden(request, _("Your role cannot change triage fields."))
    try:
        if resolve and data["kind"] == MessageKind.REPLY:
            desk_actions.ticket_resolve_with_reply(
                ticket=ticket,
                by=user,
                body=data["body"],
                attachments=data["attachments"],
                expected_version=data["version"],
            )
        else:
            desk_actions.ticket_reply(
                ticket=ticket,
                by=user,
                kind=data["kind"],
                body=data["body"],
                attachments=data["attachments"],
                expected_version=data["version"],
                then_status=data.get("then_status") or "",
                canned=data["canned_response"],
            )
    except StaleTicket as stale:
        current = _fresh(ticket)
        # Keep what was typed; the form now carries the current version, so sending
        # again (after reading what changed) goes through. Files must be chosen again.
        kept = request.POST.copy()
        kept["version"] = str(current.version)
        kept_form = ReplyForm(kept, can_reply=can_reply)
        kept_form.is_valid()
        return _render(request, current, status=409, stale=stale, reply_form=kept_form)
    except (ValidationError, InvalidTransition, ValueError) as error:
        for message in _error_messages(error):
            form.add_error(None, message)
        return _render(request, ticket, status=400, reply_form=form)
    if data["kind"] == MessageKind.NOTE:
        messages.success(request, _("Internal note added."))
    elif resolve:
        messages.success(request, _("Reply sent to the requester and the ticket resolved."))
    else:
        messages.success(request, _("Reply sent to the requester."))
    return _redirect(request, ticket)


@require_POST
@desk_view(TRIAGE)
def assign_me(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = staff_ticket(request, ticket_id)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The page was out of date; reload it and try again."))
        return _redirect(request, ticket)
    try:
        desk_actions.ticket_assign_checked(
            ticket=ticket,
            assignee=agent(request),
            by=agent(request),
            expected_version=form.cleaned_data["version"],
        )
    except StaleTicket as stale:
        return _render(request, _fresh(ticket), status=409, stale=stale)
    messages.success(request, _("Assigned to you."))
    return _redirect(request, ticket)


@require_POST
@desk_view(ESCALATE)
def escalate(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """File a GitHub issue for the ticket (through the outbox) and hand it to L2."""
    ticket = staff_ticket(request, ticket_id)
    form = EscalateForm(request.POST)
    if not form.is_valid():
        return _render(request, ticket, status=400, escalate_form=form)
    try:
        issue = escalation.ticket_escalate(
            ticket=ticket,
            by=agent(request),
            technical_summary=form.cleaned_data["technical_summary"],
            include_contact=form.cleaned_data["include_contact"],
            expected_version=form.cleaned_data["version"],
        )
    except StaleTicket as stale:
        current = _fresh(ticket)
        return _render(
            request, current, status=409, stale=stale, escalate_form=_kept(request, current)
        )
    except (ValidationError, InvalidTransition, ValueError, PermissionDenied) as error:
        for message in _error_messages(error):
            form.add_error(None, message)
        return _render(request, ticket, status=400, escalate_form=form)
    messages.success(
        request,
        _("Escalated to L2: the GitHub issue is being filed in %(repo)s.")
        % {"repo": issue.repository},
    )
    return _redirect(request, ticket)


@require_POST
@desk_view(ESCALATE)
def link_issue(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Hand the ticket to L2 by following an issue already filed."""
    ticket = staff_ticket(request, ticket_id)
    form = LinkIssueForm(request.POST)
    if not form.is_valid():
        return _render(request, ticket, status=400, link_form=form)
    try:
        issue = escalation.ticket_link_issue(
            ticket=ticket,
            by=agent(request),
            reference=form.cleaned_data["issue"],
            expected_version=form.cleaned_data["version"],
        )
    except StaleTicket as stale:
        return _render(request, _fresh(ticket), status=409, stale=stale)
    except (ValidationError, InvalidTransition, ValueError, PermissionDenied) as error:
        for message in _error_messages(error):
            form.add_error(None, message)
        return _render(request, ticket, status=400, link_form=form)
    messages.success(request, _("Linked to %(issue)s.") % {"issue": issue.label})
    return _redirect(request, ticket)


def _kept(request: HttpRequest, current: Ticket) -> EscalateForm:
    """What the agent typed, on the current version, so sending again goes through."""
    kept = request.POST.copy()
    kept["version"] = str(current.version)
    form = EscalateForm(kept)
    form.is_valid()
    return form


@require_POST
@desk_view(TRIAGE)
def merge(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = staff_ticket(request, ticket_id)
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _render(request, ticket, status=400, merge_form=form)
    try:
        target = desk_actions.ticket_merge(
            ticket=ticket,
            into=form.cleaned_data["into"],
            by=agent(request),
            expected_version=form.cleaned_data["version"],
        )
    except StaleTicket as stale:
        return _render(request, _fresh(ticket), status=409, stale=stale, merge_form=form)
    except (ValidationError, InvalidTransition, ValueError) as error:
        for message in _error_messages(error):
            form.add_error("into" if "into" in getattr(error, "message_dict", {}) else None,
                           message)  # fmt: skip
        return _render(request, ticket, status=400, merge_form=form)
    messages.success(
        request,
        _("%(ref)s was merged into %(into)s; its requester was told by email.")
        % {"ref": ticket.reference, "into": target.reference},
    )
    return HttpResponseRedirect(reverse("desk:ticket", kwargs={"ticket_id": target.pk}))


@require_GET
@desk_view()
def attachment(request: HttpRequest, attachment_id: int) -> HttpResponseBase:
    found = Attachment.objects.filter(pk=attachment_id).first()
    if found is None:
        raise Http404
    content_type = found.content_type
    if content_type not in SAFE_CONTENT_TYPES:
        content_type = "application/octet-stream"
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=found.original_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
