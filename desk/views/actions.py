"""What an agent does from the workspace: triage, reply, assign, escalate, link, merge.

Each view parses its form and calls one service (:mod:`tickets.services`), which
checks the agent's role and the ticket's version. Every action posts the version
the agent loaded: if someone else changed the ticket since, the service refuses,
and the workspace is shown again (409) with the current ticket, who changed it,
and what the agent typed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from desk.access import ESCALATE, NOTE, TRIAGE, agent, desk_view, staff_ticket
from desk.forms import AssignForm, EscalateForm, LinkIssueForm, MergeForm, ReplyForm, TriageForm
from desk.views.ticket import error_messages, fresh, redirect_to_ticket, render_workspace
from tickets import escalation, queues, roles, services
from tickets.escalation.redaction import highlighted
from tickets.models import MessageKind, Status, Ticket
from tickets.services import StaleTicket
from tickets.workflow import InvalidTransition

REFUSALS = (ValidationError, InvalidTransition, ValueError)


def _stale(
    request: HttpRequest,
    ticket: Ticket,
    stale: StaleTicket,
    keep: Callable[[QueryDict], dict[str, Any]] | None = None,
    **context: Any,
) -> HttpResponse:
    """The workspace as it is now (409), with what the agent typed kept on the current version.

    ``keep`` rebuilds the agent's forms from what they posted, so sending again
    (after reading what changed) goes through. Files must be chosen again.
    """
    current = fresh(ticket)
    if keep is not None:
        kept = request.POST.copy()
        kept["version"] = str(current.version)
        context.update(keep(kept))
    return render_workspace(request, current, status=409, stale=stale, **context)


def closed_guard(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse a change to a closed or merged ticket (409, the read-only page saying why).

    The services refuse it too, under the row lock; this answers early, before a
    form is judged, and catches the services' refusal for views that do not.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, ticket_id: int) -> HttpResponse:
        ticket = staff_ticket(request, ticket_id)
        try:
            services.check_not_closed(ticket)
            return view(request, ticket_id)
        except services.TicketClosed as closed:
            return render_workspace(
                request, fresh(ticket), status=409, closed_refusal=closed.messages[0]
            )

    return wrapped


def _posted_version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@require_POST
@desk_view(TRIAGE)
@closed_guard
def triage(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = staff_ticket(request, ticket_id)
    lists = queues.desk_lists(agent(request))
    form = TriageForm(request.POST, ticket=ticket, lists=lists)
    try:
        # A form built on an older ticket (its choices, e.g. the statuses allowed
        # then) is refused as stale before its fields are judged.
        services.check_version(ticket=ticket, expected_version=_posted_version(request))
        if not form.is_valid():
            return render_workspace(request, ticket, status=400, lists=lists, triage_form=form)
        services.ticket_triage(
            ticket=ticket,
            by=agent(request),
            expected_version=form.cleaned_data["version"],
            **form.changes(),
        )
    except StaleTicket as stale:
        tried = [
            f"{form.fields[name].label}: {_readable(form, name, values)}"
            for name, values in form.changed_since_loaded()
        ]
        return _stale(request, ticket, stale, lists=lists, tried=tried)
    except REFUSALS as error:
        for message in error_messages(error):
            form.add_error(None, message)
        return render_workspace(request, ticket, status=400, lists=lists, triage_form=form)
    messages.success(request, _("Triage saved."))
    return redirect_to_ticket(request, ticket)


def _readable(form: TriageForm, name: str, values: list[str]) -> str:
    field = form.fields[name]
    choices = dict(Status.choices) if name == "status" else dict(getattr(field, "choices", []))
    return ", ".join(str(choices.get(v, v)) for v in values if v) or "—"


@require_POST
@desk_view(NOTE)
@closed_guard
def reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    user = agent(request)
    ticket = staff_ticket(request, ticket_id)
    can_reply = roles.may(user, roles.REPLY)
    form = ReplyForm(request.POST, request.FILES, can_reply=can_reply, user=user)
    if request.POST.get("kind") == MessageKind.REPLY:
        roles.require(user, roles.REPLY)
    if not form.is_valid():
        return render_workspace(request, ticket, status=400, reply_form=form)
    data = form.cleaned_data
    resolve = "resolve" in request.POST and data["kind"] == MessageKind.REPLY
    try:
        services.ticket_reply(
            ticket=ticket,
            by=user,
            kind=data["kind"],
            body=data["body"],
            attachments=data["attachments"],
            expected_version=data["version"],
            then_status=Status.RESOLVED if resolve else data.get("then_status") or "",
            canned=None if resolve else data["canned_response"],
        )
    except StaleTicket as stale:
        return _stale(
            request,
            ticket,
            stale,
            keep=lambda kept: {
                "reply_form": _valid(ReplyForm(kept, can_reply=can_reply, user=user))
            },
        )
    except REFUSALS as error:
        for message in error_messages(error):
            form.add_error(None, message)
        return render_workspace(request, ticket, status=400, reply_form=form)
    if data["kind"] == MessageKind.NOTE:
        messages.success(request, _("Internal note added."))
    elif resolve:
        messages.success(request, _("Reply sent to the requester and the ticket resolved."))
    else:
        messages.success(request, _("Reply sent to the requester."))
    return redirect_to_ticket(request, ticket)


def _valid(form: Any) -> Any:
    form.is_valid()
    return form


@require_POST
@desk_view(TRIAGE)
@closed_guard
def assign_me(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = staff_ticket(request, ticket_id)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The page was out of date; reload it and try again."))
        return redirect_to_ticket(request, ticket)
    try:
        services.ticket_assign(
            ticket=ticket,
            assignee=agent(request),
            by=agent(request),
            expected_version=form.cleaned_data["version"],
        )
    except StaleTicket as stale:
        return _stale(request, ticket, stale)
    messages.success(request, _("Assigned to you."))
    return redirect_to_ticket(request, ticket)


def _workspace_form_action(
    request: HttpRequest,
    ticket: Ticket,
    *,
    form: Any,
    name: str,
    act: Callable[[dict[str, Any]], Any],
    keep_typed: bool = True,
) -> tuple[Any, HttpResponse | None]:
    """Validate ``form``, run the service; on refusal the workspace with the form (400/409).

    Returns the service's result, or the page to answer with instead.
    """
    if not form.is_valid():
        return None, render_workspace(request, ticket, status=400, **{name: form})
    try:
        return act(form.cleaned_data), None
    except StaleTicket as stale:
        keep = (lambda kept: {name: _valid(type(form)(kept))}) if keep_typed else None
        return None, _stale(request, ticket, stale, keep=keep)
    except REFUSALS as error:
        field = "into" if "into" in getattr(error, "message_dict", {}) else None
        for message in error_messages(error):
            form.add_error(field if field in form.fields else None, message)
        return None, render_workspace(request, ticket, status=400, **{name: form})


@require_POST
@desk_view(ESCALATE)
@closed_guard
def escalate(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Preview the GitHub issue, redacted; file exactly the previewed (edited) text.

    The first post (or *Preview again*) shows the issue as it would be published,
    what was redacted highlighted, title and body editable. Filing checks the
    edited text again: personal data found is shown highlighted, to be fixed or
    confirmed, never published silently.
    """
    ticket = staff_ticket(request, ticket_id)
    form = EscalateForm(request.POST)
    if not form.is_valid():
        return render_workspace(request, ticket, status=400, escalate_form=form)
    data = form.cleaned_data
    if "preview" in request.POST or not (data["title"].strip() and data["body"].strip()):
        return _escalation_preview(request, ticket, form)
    try:
        issue = services.ticket_escalate(
            ticket=ticket,
            by=agent(request),
            technical_summary=data["technical_summary"],
            include_contact=data["include_contact"],
            title=data["title"],
            body=data["body"],
            publish_anyway=data["publish_anyway"],
            expected_version=data["version"],
        )
    except escalation.PersonalDataFound as found:
        form.add_error(None, found.messages[0])
        preview = _edited_preview(data, found.title_spans, found.body_spans, found=True)
        return render_workspace(
            request, ticket, status=400, escalate_form=form, escalate_preview=preview
        )
    except StaleTicket as stale:
        return _stale(
            request, ticket, stale, keep=lambda kept: {"escalate_form": _valid(EscalateForm(kept))}
        )
    except REFUSALS as error:
        for message in error_messages(error):
            form.add_error(None, message)
        # The agent's edited text stays on screen, as it would be published.
        preview = _edited_preview(data, [], [], found=False)
        return render_workspace(
            request, ticket, status=400, escalate_form=form, escalate_preview=preview
        )
    messages.success(
        request,
        _("Escalated to L2: the GitHub issue is being filed in %(repo)s.")
        % {"repo": issue.repository},
    )
    return redirect_to_ticket(request, ticket)


def _edited_preview(
    data: dict[str, Any], in_title: list[Any], in_body: list[Any], *, found: bool
) -> dict[str, Any]:
    """The agent's title and body as they would be published, ``in_*`` findings marked."""
    return {
        "title": highlighted(data["title"].strip(), in_title),
        "body": highlighted(data["body"].strip(), in_body),
        "found": found,
    }


def _escalation_preview(request: HttpRequest, ticket: Ticket, form: Any) -> HttpResponse:
    """The issue as it would be published: redactions highlighted, title and body editable."""
    data = form.cleaned_data
    draft = escalation.issue_draft(
        ticket=ticket, summary=data["technical_summary"], include_contact=data["include_contact"]
    )
    posted = request.POST.copy()
    posted["title"], posted["body"] = draft.title, draft.body
    posted.pop("publish_anyway", None)
    preview = {"title": highlighted(draft.title), "body": highlighted(draft.body), "found": False}
    return render_workspace(
        request, ticket, escalate_form=_valid(EscalateForm(posted)), escalate_preview=preview
    )


@require_POST
@desk_view(ESCALATE)
@closed_guard
def link_issue(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Hand the ticket to L2 by following an issue already filed."""
    ticket = staff_ticket(request, ticket_id)
    issue, refused = _workspace_form_action(
        request,
        ticket,
        form=LinkIssueForm(request.POST),
        name="link_form",
        act=lambda data: services.ticket_link_issue(
            ticket=ticket,
            by=agent(request),
            reference=data["issue"],
            expected_version=data["version"],
        ),
        keep_typed=False,
    )
    if refused:
        return refused
    messages.success(request, _("Linked to %(issue)s.") % {"issue": issue.label})
    return redirect_to_ticket(request, ticket)


@require_POST
@desk_view(TRIAGE)
@closed_guard
def merge(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = staff_ticket(request, ticket_id)
    target, refused = _workspace_form_action(
        request,
        ticket,
        form=MergeForm(request.POST),
        name="merge_form",
        act=lambda data: services.ticket_merge(
            ticket=ticket,
            into=data["into"],
            by=agent(request),
            expected_version=data["version"],
        ),
    )
    if refused:
        return refused
    messages.success(
        request,
        _("%(ref)s was merged into %(into)s; its requester was told by email.")
        % {"ref": ticket.reference, "into": target.reference},
    )
    return HttpResponseRedirect(reverse("desk:ticket", kwargs={"ticket_id": target.pk}))


@require_POST
@desk_view(TRIAGE)
def reopen(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Reopen a closed ticket: back to where triage left it, the requester told."""
    ticket = staff_ticket(request, ticket_id)
    form = AssignForm(request.POST)  # the loaded version, nothing else
    if not form.is_valid():
        messages.error(request, _("The page was out of date; reload it and try again."))
        return redirect_to_ticket(request, ticket)
    try:
        ticket = services.ticket_reopen(
            ticket=ticket, by=agent(request), expected_version=form.cleaned_data["version"]
        )
    except StaleTicket as stale:
        return _stale(request, ticket, stale)
    except services.TicketClosed as merged:
        return render_workspace(request, ticket, status=409, closed_refusal=merged.messages[0])
    messages.success(
        request, _("Reopened: the ticket is %(status)s.") % {"status": ticket.get_status_display()}
    )
    return redirect_to_ticket(request, ticket)
