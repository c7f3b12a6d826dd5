"""Delivers ``email`` outbox rows with Django's configured email backend.

The mail is rendered when it is sent, from the templates under
``templates/emails/<template>_subject.txt``, ``.txt`` and ``.html``. Its
Message-ID is derived from the outbox row's key, so a retried row carries the
same Message-ID and mail clients show it once. A worker lost while sending leaves
the row failed with the reason, never sent twice (:mod:`tickets.outbox_handover`).
Mail to a requester is written in their language (``Requester.language``) and
says so (``Content-Language``). Every mail about a ticket refers to the ticket's
thread id (and to the requester's last mail, if they wrote one), so clients thread
them; mail to the requester carries the ticket's own reply address, so their answer
finds the ticket without trusting the subject.
"""

from __future__ import annotations

import hashlib
from datetime import tzinfo
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from integrations.email.addresses import reply_to_header, thread_tag
from tickets.escalation import ticket_desk_url
from tickets.models import Message, MessageKind, OutboxMessage, Requester, Ticket
from tickets.outbox_handover import outbox_handover
from tickets.outbox_kinds import OutboxKind, register_handler
from tickets.time_zones import hub_zone, ticket_zone, zone_named


def stable_message_id(key: str, ticket: Ticket | None = None) -> str:
    """The row's Message-ID; mail about a ticket names it, as the thread id does.

    An answer that keeps only ``In-Reply-To`` (many auto-responders, some mobile
    clients) then still finds its ticket instead of opening a new one, which would
    be acknowledged, and answered again: a loop.
    """
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    local = f"{thread_tag(ticket)}.{digest}" if ticket is not None else digest
    return f"<{local}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


def ticket_thread_id(ticket: Ticket) -> str:
    """A Message-ID every mail about one ticket refers to, so clients thread them."""
    return f"<{thread_tag(ticket)}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


def requester_link(ticket: Ticket) -> str:
    """The requester's private address of their ticket page (the token is the key)."""
    return settings.SITE_URL + reverse("portal:ticket", kwargs={"token": ticket.token})


def thread_headers(ticket: Ticket, row: OutboxMessage) -> dict[str, str]:
    """In-Reply-To the requester's last mail before this one (else the thread), References both."""
    thread = ticket_thread_id(ticket)
    last_mail = (
        Message.objects.filter(
            ticket=ticket, kind=MessageKind.CUSTOMER, created_at__lte=row.created_at
        )
        .exclude(email_message_id="")
        .order_by("-created_at", "-id")
        .values_list("email_message_id", flat=True)
        .first()
    )
    if last_mail:
        return {"In-Reply-To": last_mail, "References": f"{thread} {last_mail}"}
    return {"In-Reply-To": thread, "References": thread}


def mail_zone(payload: dict[str, Any], ticket: Ticket | None) -> tzinfo:
    """The zone a mail's times are written in: the one its writer chose for the reader
    (staff mail), else the ticket's hub zone (the requester's)."""
    if payload.get("time_zone"):
        return zone_named(payload["time_zone"])
    return ticket_zone(ticket) if ticket is not None else hub_zone(None)


def mail_context(
    payload: dict[str, Any], ticket: Ticket | None, requester: Requester
) -> dict[str, Any]:
    message = None
    if payload.get("message_id"):
        message = Message.objects.select_related("author_user").get(pk=payload["message_id"])
    links = [
        (listed, requester_link(listed))
        for listed in Ticket.objects.filter(
            pk__in=payload.get("ticket_ids") or [], requester=requester
        ).order_by("-created_at", "-id")
    ]
    return {
        "ticket": ticket,
        "ticket_link": requester_link(ticket) if ticket else "",
        "desk_url": ticket_desk_url(ticket) if ticket else "",  # for mail to agents
        "ticket_links": links,
        "message": message,
        "requester": requester,
        "site_url": settings.SITE_URL,
        "auto_close_days": settings.AUTO_CLOSE_DAYS,
        # Extra values the writer of the row chose (never the ticket's own fields).
        **{
            f: v
            for f, v in (payload.get("context") or {}).items()
            if f not in ("ticket", "message", "requester", "ticket_link", "ticket_links")
        },
    }


def mail_language(payload: dict[str, Any], requester: Requester) -> str:
    """The language a mail is written in: the requester's for mail to them (the one
    they last wrote to us in), else the help desk's default (staff mail)."""
    if payload["to"] == [requester.email]:
        return requester.mail_language
    return settings.LANGUAGE_CODE


def build_email(row: OutboxMessage) -> EmailMultiAlternatives:
    payload = row.payload
    ticket = None
    if payload.get("ticket_id"):
        ticket = Ticket.objects.select_related("requester", "product", "category", "hub").get(
            pk=payload["ticket_id"]
        )
        requester = ticket.requester
    else:
        # Mail about a requester's tickets in general (their private links, re-sent).
        requester = Requester.objects.get(pk=payload["requester_id"])
    language = mail_language(payload, requester)
    # Their links too are in it (/fr/t/...), and its dates and numbers.
    with translation.override(language), timezone.override(mail_zone(payload, ticket)):
        context = mail_context(payload, ticket, requester)
        template = payload["template"]
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    headers = {"Message-ID": stable_message_id(row.key, ticket), "Content-Language": language}
    reply_to: list[str] = []
    if ticket is not None:
        headers |= thread_headers(ticket, row) | {"X-Helpdesk-Ticket": ticket.reference}
        if payload["to"] == [ticket.requester.email]:
            reply_to = [reply_to_header(ticket)]
    if payload.get("automatic"):
        # RFC 3834, and Exchange's own switch: auto-responders must not answer this.
        headers["Auto-Submitted"] = "auto-generated"
        headers["X-Auto-Response-Suppress"] = "All"
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=payload["to"],
        reply_to=reply_to,
        headers=headers,
    )
    email.attach_alternative(html, "text/html")
    return email


def deliver_email(row: OutboxMessage) -> dict[str, Any]:
    email = build_email(row)
    # SMTP cannot be asked whether a mail left: if the worker is lost while sending,
    # the row fails with that reason rather than risk a second mail.
    with outbox_handover(row):
        email.send()
    return {"message_id": email.extra_headers["Message-ID"], "to": email.to}


def register() -> None:
    register_handler(OutboxKind.EMAIL, deliver_email)
