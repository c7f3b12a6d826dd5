"""Who may use the desk, and the only way a desk view fetches a ticket.

Staff with the ``tickets.view_ticket`` permission (the L1, L2 and manager roles)
use the desk. An anonymous visitor is sent to the login page; a logged-in person
who is not staff (a requester) gets a 404, as if the desk did not exist; staff
without the permission get a 403 that says so.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, cast

from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from catalog.models import IssueTag
from tickets import roles
from tickets.models import Ticket
from tickets.roles import ESCALATE, LOG_TICKET, NOTE, REPLY, TRIAGE, VIEW, VIEW_REPORTS

__all__ = ["ESCALATE", "LOG_TICKET", "NOTE", "REPLY", "TRIAGE", "VIEW", "VIEW_REPORTS"]


def agent(request: HttpRequest) -> User:
    """The desk only lets authenticated staff in (see desk_view); say so to the type checker."""
    return cast(User, request.user)


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "desk/forbidden.html", {"message": message}, status=403)


def desk_view(
    permission: str | None = None,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Let in staff who can view tickets (and hold ``permission``, if given)."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (user.is_active and user.is_staff):
                raise Http404
            for needed in (VIEW, permission):
                if needed and not user.has_perm(needed):
                    return forbidden(request, str(roles.ActionNotAllowed(needed)))
            try:
                return view(request, *args, **kwargs)
            except roles.ActionNotAllowed as refused:
                # A service refused what the page offered (a role changed meanwhile, or a
                # canned response that also triages): the same page, the service's reason.
                return forbidden(request, str(refused))

        return wrapped

    return decorate


def workspace_tickets() -> QuerySet[Ticket]:
    """A ticket with everything its workspace header and triage panel show."""
    return Ticket.objects.select_related(
        "requester",
        "requester__partner",
        "partner",
        "hub",
        "product",
        "category",
        "impact",
        "assignee",
        "created_by",
        "merged_into",
    ).prefetch_related(Prefetch("issue_tags", queryset=IssueTag.objects.order_by("name")))


def staff_ticket(request: HttpRequest, ticket_id: int, *, full: bool = True) -> Ticket:
    """The ticket for a desk view (its access already checked by desk_view), or 404."""
    tickets = workspace_tickets() if full else Ticket.objects.all()
    ticket = tickets.filter(pk=ticket_id).first()
    if ticket is None:
        raise Http404(_("There is no ticket %(id)s.") % {"id": ticket_id})
    return ticket
