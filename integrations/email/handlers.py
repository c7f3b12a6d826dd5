"""Delivers ``email`` outbox rows with Django's configured email backend.

The mail is rendered when it is sent, from the templates under
``templates/emails/<template>_subject.txt``, ``.txt`` and ``.html``. Its
Message-ID is derived from the outbox row's key, so a retried row carries the
same Message-ID and mail clients show it once.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from tickets.models import Message, OutboxMessage, Requester, Ticket
from tickets.notifications import EMAIL_KIND
from tickets.outbox import register_handler


def stable_message_id(key: str) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


def ticket_thread_id(ticket: Ticket) -> str:
    """A Message-ID every mail about one ticket refers to, so clients thread them."""
    return f"<ticket-{ticket.pk}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


def requester_link(ticket: Ticket) -> str:
    """The requester's private address of their ticket page (the token is the key)."""
    return settings.SITE_URL + reverse("portal:ticket", kwargs={"token": ticket.token})


def build_email(row: OutboxMessage) -> EmailMultiAlternatives:
    payload = row.payload
    ticket = None
    if payload.get("ticket_id"):
        ticket = Ticket.objects.select_related("requester", "product", "category").get(
            pk=payload["ticket_id"]
        )
        requester = ticket.requester
    else:
        # Mail about a requester's tickets in general (their private links, re-sent).
        requester = Requester.objects.get(pk=payload["requester_id"])
    message = None
    if payload.get("message_id"):
        message = Message.objects.select_related("author_user").get(pk=payload["message_id"])
    links = [
        (listed, requester_link(listed))
        for listed in Ticket.objects.filter(
            pk__in=payload.get("ticket_ids") or [], requester=requester
        ).order_by("-created_at", "-id")
    ]
    context: dict[str, Any] = {
        "ticket": ticket,
        "ticket_link": requester_link(ticket) if ticket else "",
        "ticket_links": links,
        "message": message,
        "requester": requester,
        "site_url": settings.SITE_URL,
        # Extra values the writer of the row chose (never the ticket's own fields).
        **{
            f: v
            for f, v in (payload.get("context") or {}).items()
            if f not in ("ticket", "message", "requester", "ticket_link", "ticket_links")
        },
    }
    template = payload["template"]
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    headers = {"Message-ID": stable_message_id(row.key)}
    if ticket is not None:
        headers |= {
            "In-Reply-To": ticket_thread_id(ticket),
            "References": ticket_thread_id(ticket),
            "X-Helpdesk-Ticket": ticket.reference,
        }
    if payload.get("automatic"):
        headers["Auto-Submitted"] = "auto-generated"
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=payload["to"],
        headers=headers,
    )
    email.attach_alternative(html, "text/html")
    return email


def deliver_email(row: OutboxMessage) -> dict[str, Any]:
    email = build_email(row)
    email.send()
    return {"message_id": email.extra_headers["Message-ID"], "to": email.to}


def register() -> None:
    register_handler(EMAIL_KIND, deliver_email)
