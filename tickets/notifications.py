"""Which emails a ticket change causes, written to the outbox (delivered by integrations)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.utils import timezone

from tickets.models import (
    Message,
    MessageKind,
    OutboxMessage,
    OutboxStatus,
    Requester,
    Status,
    Ticket,
)
from tickets.outbox import outbox_add
from tickets.outbox_kinds import OutboxKind

# A public reply written this recently (in the same step) carries the status news itself.
FOLD_INTO_REPLY_WITHIN = timedelta(seconds=60)


def email_requester(
    *,
    ticket: Ticket,
    template: str,
    key: str,
    message: Message | None = None,
    automatic: bool,
    new_key: bool = False,
) -> None:
    """Queue a templated email to the ticket's requester.

    ``automatic`` marks mail no person wrote (acknowledgements), which carries
    ``Auto-Submitted: auto-generated`` so that auto-responders stay quiet.
    ``new_key``: see :func:`tickets.outbox.outbox_add`.
    """
    outbox_add(
        kind=OutboxKind.EMAIL,
        key=key,
        new_key=new_key,
        ticket=ticket,
        payload={
            "template": template,
            "to": [ticket.requester.email],
            "ticket_id": ticket.pk,
            "message_id": message.pk if message else None,
            "automatic": automatic,
        },
    )


def email_requester_links(*, requester: Requester, tickets: Sequence[Ticket], key: str) -> None:
    """Queue an email to a requester with the private links of the given tickets."""
    outbox_add(
        kind=OutboxKind.EMAIL,
        key=key,
        payload={
            "template": "ticket_links",
            "to": [requester.email],
            "requester_id": requester.pk,
            "ticket_ids": [ticket.pk for ticket in tickets],
            "automatic": True,
        },
    )


def email_status_change(
    *, ticket: Ticket, previous: str, status: str, key: str, by_requester: bool
) -> None:
    """Tell the requester about a status change that concerns them.

    Waiting on you and resolved (unless they resolved it themselves), and
    reopened. When the agent's public reply in the same step is still waiting in
    the outbox, the news goes into that mail instead of a second one.
    """
    if status in (Status.NEW, Status.OPEN) and previous in (Status.RESOLVED, Status.CLOSED):
        template = "status_reopened"
    elif status in (Status.WAITING, Status.RESOLVED) and not by_requester:
        template = f"status_{status}"
        if _fold_into_reply(ticket=ticket, note=str(status)):
            return
    else:
        return
    email_requester(ticket=ticket, template=template, key=key, automatic=True)


def _fold_into_reply(*, ticket: Ticket, note: str) -> bool:
    reply = (
        Message.objects.filter(
            ticket=ticket,
            kind=MessageKind.REPLY,
            created_at__gte=timezone.now() - FOLD_INTO_REPLY_WITHIN,
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if reply is None:
        return False
    row = OutboxMessage.objects.filter(key=f"email:reply:{reply.pk}").first()
    if row is None:
        return False
    context = {**(row.payload.get("context") or {}), "status_note": note}
    payload = {**row.payload, "context": context}
    # Conditional: a worker that already claimed the row sends it as it was, and the
    # status news then goes out as its own mail.
    return (
        OutboxMessage.objects.filter(pk=row.pk, status=OutboxStatus.PENDING, attempts=0).update(
            payload=payload
        )
        == 1
    )
