"""The only way a view fetches a ticket for a given person.

A requester reaches their ticket with the private token from their email, never
with a number. The token (``secrets.token_urlsafe(24)``: 32 characters, 192
random bits) works as a selector and a verifier: the first
:data:`TOKEN_SELECTOR_LENGTH` characters find the candidate rows through the
token's index (a prefix lookup, which PostgreSQL serves from the
``varchar_pattern_ops`` index Django adds to unique character columns), and the
whole token is then compared with :func:`secrets.compare_digest`, in constant
time. Whatever timing the database lookup leaks can only concern the selector;
the other 96 bits are never compared by the database.
"""

from __future__ import annotations

import re
import secrets

from django.db.models import Prefetch, QuerySet

from tickets.models import Attachment, Message, MessageKind, Ticket

TOKEN_LENGTH = 32
TOKEN_SELECTOR_LENGTH = 16
TOKEN_RE = re.compile(rf"^[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}$")
PUBLIC_KINDS = (MessageKind.CUSTOMER, MessageKind.REPLY)


def ticket_for_requester(token: str, queryset: QuerySet[Ticket] | None = None) -> Ticket | None:
    """The ticket whose private token is ``token``, or None; numbers and near misses fail."""
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        return None
    candidates = (queryset if queryset is not None else Ticket.objects.all()).filter(
        token__startswith=token[:TOKEN_SELECTOR_LENGTH]
    )
    found = None
    for ticket in candidates[:5]:
        # Every candidate is compared, so the time taken does not say which matched.
        if secrets.compare_digest(ticket.token.encode(), token.encode()):
            found = ticket
    return found


def public_messages(ticket: Ticket) -> QuerySet[Message]:
    """What the requester may read of the thread: their messages and our public replies.

    Internal notes and system events are never part of it. Authors and
    attachments come in a fixed number of queries, however long the thread.
    """
    return (
        Message.objects.filter(ticket=ticket, kind__in=PUBLIC_KINDS)
        .select_related("author_user", "author_requester")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "id"))
        )
        .order_by("created_at", "id")
    )


def public_attachment(ticket: Ticket, attachment_id: int) -> Attachment | None:
    """An attachment of one of the ticket's public messages, or None."""
    return (
        Attachment.objects.filter(
            pk=attachment_id, message__ticket=ticket, message__kind__in=PUBLIC_KINDS
        )
        .select_related("message")
        .first()
    )


def ticket_attachment(ticket: Ticket, attachment_id: int) -> Attachment | None:
    """An attachment of any of the ticket's messages (notes too: for staff), or None.

    Never by the attachment's number alone: another ticket's file is None, as a
    missing one is, so a reader of one ticket cannot reach another's files.
    """
    return Attachment.objects.filter(pk=attachment_id, message__ticket=ticket).first()
