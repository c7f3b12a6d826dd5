"""The requester's private ticket page, reached only with the token from their email.

Status, the public thread (never internal notes), replies with files, "this is
solved" and "reopen", and a form that re-sends lost links without saying
whether an address has tickets.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from helpdesk.client_ip import client_ip
from portal import services
from portal.forms import LostLinkForm, ReplyForm
from tickets import access
from tickets import services as ticket_services
from tickets.downloads import attachment_response
from tickets.models import MessageKind, Status, Ticket
from tickets.time_zones import ticket_zone
from tickets.workflow import InvalidTransition

View = Callable[..., HttpResponseBase]

STATUS_HELP = {
    Status.NEW: gettext_lazy("We have received your request; our first-line team will answer it."),
    Status.OPEN: gettext_lazy("Our support team is working on your request."),
    Status.WAITING: gettext_lazy("We are waiting for your answer: please reply below."),
    Status.ESCALATED: gettext_lazy("Our engineers are working on it; we will keep you informed."),
    Status.RESOLVED: gettext_lazy(
        "We consider this solved. If it is not, reopen it or reply below."
    ),
    Status.CLOSED: gettext_lazy(
        "This request is closed. If you need more help, send a new request."
    ),
}


def _private(response: HttpResponseBase) -> HttpResponseBase:
    """Pages behind a private link: never cached by others, never indexed."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The site-wide Referrer-Policy (same-origin) keeps the token out of other sites'
    # logs; "no-referrer" would make browsers send "Origin: null" and fail CSRF.
    return response


def requester_ticket(view: View) -> View:
    """Resolve the token to a ticket (404 for anything else) and mark the page private."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        ticket = access.ticket_for_requester(
            token, Ticket.objects.select_related("requester", "product", "category", "hub")
        )
        if ticket is None:
            raise Http404(_("No request has this link."))
        # The requester reads times in their hub's zone, named ("Mon 7 Dec 09:30 EAT").
        with timezone.override(ticket_zone(ticket)):
            return _private(view(request, ticket, *args, **kwargs))

    return wrapper


@require_http_methods(["GET", "POST"])
@requester_ticket
def ticket_page(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    form = ReplyForm()
    status = 200
    if request.method == "POST":
        form = ReplyForm(request.POST, request.FILES)
        # Only a valid reply counts against the ticket's hourly limit (the API's too):
        # an empty one, or a refused file, does not use up the requester's quota.
        valid = form.is_valid()
        if valid and services.rate_limit_exceeded(
            scope="reply",
            ident=str(ticket.pk),
            limit=settings.PORTAL_REPLIES_PER_TICKET_PER_HOUR,
        ):
            form.add_error(None, _("Too many messages in a short time; please try again later."))
            status = 429
        elif valid:
            try:
                ticket_services.ticket_add_message(
                    ticket=ticket,
                    kind=MessageKind.CUSTOMER,
                    body=form.cleaned_data["body"],
                    requester=ticket.requester,
                    attachments=form.cleaned_data["attachments"],
                )
                # They wrote on the page in its language: later mail is in it too.
                ticket_services.requester_language_set(
                    requester=ticket.requester, language=translation.get_language()
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Thank you, your message was added."))
                return redirect("portal:ticket", token=ticket.token)
    return render(
        request,
        "portal/ticket.html",
        {
            "ticket": ticket,
            "thread": access.public_messages(ticket),
            "form": form,
            "status_help": STATUS_HELP.get(Status(ticket.status), ""),
            "can_reply": ticket.status != Status.CLOSED,
            "can_mark_solved": ticket.is_open,
            # Until staff have answered, "solved" is a quiet option, not the main button.
            "staff_replied": ticket.first_responded_at is not None,
            "can_reopen": ticket.status == Status.RESOLVED,
        },
        status=status,
    )


@require_POST
@requester_ticket
def ticket_solved(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    try:
        ticket_services.ticket_requester_mark_solved(ticket=ticket, requester=ticket.requester)
    except (ValidationError, InvalidTransition) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("Thank you: we have marked your request as solved."))
    return redirect("portal:ticket", token=ticket.token)


@require_POST
@requester_ticket
def ticket_reopen(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    try:
        ticket_services.ticket_requester_reopen(ticket=ticket, requester=ticket.requester)
    except (ValidationError, InvalidTransition) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request, _("Your request is open again; tell us below what is still wrong.")
        )
    return redirect("portal:ticket", token=ticket.token)


@require_http_methods(["GET", "HEAD"])
@requester_ticket
def ticket_attachment(request: HttpRequest, ticket: Ticket, attachment_id: int) -> HttpResponseBase:
    """A file of the public thread, always as a download, never rendered by the browser."""
    attachment = access.public_attachment(ticket, attachment_id)
    response = attachment_response(attachment) if attachment is not None else None
    if response is None:
        raise Http404(_("No such file on this request."))
    return response


@require_http_methods(["GET", "POST"])
def lost_link(request: HttpRequest) -> HttpResponseBase:
    """Re-send private links by email; the answer is the same whether or not any exist."""
    form = LostLinkForm(request.POST or None)
    sent = False
    status = 200
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        ip = client_ip(request) or ""
        limit = settings.PORTAL_LINK_REQUESTS_PER_HOUR
        if services.rate_limit_exceeded(
            scope="links-ip", ident=ip, limit=limit * 4
        ) or services.rate_limit_exceeded(scope="links-email", ident=email, limit=limit):
            form.add_error(None, _("Too many requests in a short time; please try again later."))
            status = 429
        else:
            services.requester_links_send(email=email)
            sent = True
    return _private(
        render(request, "portal/lost_link.html", {"form": form, "sent": sent}, status=status)
    )
