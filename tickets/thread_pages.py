"""A ticket's thread page by page, in either direction: for readers that walk the whole of it.

The thread is the ticket's messages and history events in the one order the
desk shows them (tickets.workspace.ticket_thread): by time, a message before
an event of the same instant, then by id. An item's place in that order,
(time, rank, id), is unique, so a page can start just after any item however
many share its time. A page is the ``limit`` items after such a place, oldest
first, or before it, newest first: two keyset reads (the messages with their
authors and files, the events) of at most ``limit + 1`` rows each, merged
here. A page costs the same few queries whatever its size and depth.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from django.db.models import Prefetch, Q, QuerySet

from tickets.models import Attachment, Message, Ticket, TicketEvent

MESSAGE, EVENT = 0, 1  # an item's rank: at the same instant, messages come first


class ThreadPlace(NamedTuple):
    """Where an item sits in the thread's order; tuples compare in that order."""

    at: datetime
    rank: int
    id: int


def thread_messages(ticket: Ticket) -> QuerySet[Message]:
    """The ticket's messages with what the thread shows of them, in no order yet."""
    return (
        Message.objects.filter(ticket=ticket)
        .select_related("author_user", "author_requester")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "id"))
        )
    )


def thread_events(ticket: Ticket) -> QuerySet[TicketEvent]:
    """The ticket's history events. A "message added" event exists only for a message made
    through an API token, and is shown: it says which token (tickets.services.history)."""
    return TicketEvent.objects.filter(ticket=ticket)


def place(item: dict[str, Any]) -> ThreadPlace:
    return ThreadPlace(item["at"], MESSAGE if item["type"] == "message" else EVENT, item["id"])


def message_item(message: Message) -> dict[str, Any]:
    return {"type": "message", "at": message.created_at, "message": message, "id": message.pk}


def event_item(event: TicketEvent) -> dict[str, Any]:
    return {"type": "event", "at": event.created_at, "event": event, "id": event.pk}


def thread_page(
    ticket: Ticket, *, limit: int, after: ThreadPlace | None = None, newest_first: bool = False
) -> tuple[list[dict[str, Any]], bool]:
    """The ``limit`` items after ``after`` (from the start without it) in the thread's
    order, or before it and newest first, and whether more items follow them."""
    messages = _beyond(thread_messages(ticket), MESSAGE, after, newest_first)[: limit + 1]
    events = _beyond(thread_events(ticket), EVENT, after, newest_first)[: limit + 1]
    items = [message_item(m) for m in messages] + [event_item(e) for e in events]
    items.sort(key=place, reverse=newest_first)
    return items[:limit], len(items) > limit


def _beyond[R: (Message, TicketEvent)](
    rows: QuerySet[R], rank: int, after: ThreadPlace | None, newest_first: bool
) -> QuerySet[R]:
    """``rows`` (all of one rank) in the page's direction, those past ``after`` only."""
    sign = "-" if newest_first else ""
    rows = rows.order_by(f"{sign}created_at", f"{sign}id")
    if after is None:
        return rows
    past = "lt" if newest_first else "gt"
    if rank == after.rank:
        return rows.filter(
            Q(**{f"created_at__{past}": after.at})
            | Q(created_at=after.at, **{f"id__{past}": after.id})
        )
    # Another rank: a row of ``after``'s instant is past it if its rank comes later
    # in the page's direction (an event after a message oldest first, not newest first).
    same_instant_past = (rank > after.rank) != newest_first
    lookup = f"created_at__{past}e" if same_instant_past else f"created_at__{past}"
    return rows.filter(**{lookup: after.at})
