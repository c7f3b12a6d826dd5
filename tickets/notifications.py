"""Which emails a ticket change causes, written to the outbox (delivered by integrations)."""

from __future__ import annotations

from collections.abc import Sequence

from tickets.models import Message, Requester, Ticket
from tickets.outbox import outbox_add

EMAIL_KIND = "email"


def email_requester(
    *, ticket: Ticket, template: str, key: str, message: Message | None = None, automatic: bool
) -> None:
    """Queue a templated email to the ticket's requester.

    ``automatic`` marks mail no person wrote (acknowledgements), which carries
    ``Auto-Submitted: auto-generated`` so that auto-responders stay quiet.
    """
    outbox_add(
        kind=EMAIL_KIND,
        key=key,
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
        kind=EMAIL_KIND,
        key=key,
        payload={
            "template": "ticket_links",
            "to": [requester.email],
            "requester_id": requester.pk,
            "ticket_ids": [ticket.pk for ticket in tickets],
            "automatic": True,
        },
    )
