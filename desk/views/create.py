"""Log a ticket for a client who reached out directly (phone, Slack, an email to an agent)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from catalog.models import Product
from desk.access import LOG_TICKET, agent, desk_view
from desk.forms import OnBehalfForm
from tickets import queues, services


@desk_view(LOG_TICKET)
def log_ticket(request: HttpRequest) -> HttpResponse:
    lists = queues.desk_lists(agent(request))
    form = OnBehalfForm(
        request.POST or None,
        request.FILES or None,
        lists=lists,
        products=list(Product.objects.active()),
    )
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.ticket_create(
                **form.service_arguments(), by=agent(request), notify_requester=True
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "%(ref)s logged for %(email)s. They were emailed that a ticket was created "
                    "and that support will follow up by email."
                )
                % {"ref": ticket.reference, "email": ticket.requester.email},
            )
            return HttpResponseRedirect(reverse("desk:ticket", kwargs={"ticket_id": ticket.pk}))
    status = 400 if request.method == "POST" else 200
    return render(request, "desk/log_ticket.html", {"form": form, "lists": lists}, status=status)
