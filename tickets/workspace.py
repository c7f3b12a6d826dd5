"""The workspace read model: everything one ticket's desk page shows, in a fixed number of queries.

The desk view adds its forms and the queue navigation; an API reading a ticket
with its thread uses the same selector.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Prefetch
from django.utils import timezone

from tickets import escalation, queues, roles
from tickets.models import (
    Attachment,
    CannedResponse,
    EscalationLink,
    L2News,
    Message,
    SlaClock,
    SlaTarget,
    Status,
    Ticket,
    TicketEvent,
)
from tickets.queues.sla_state import SlaState
from tickets.services import canned_render

RELATED_LIMIT = 10


@dataclass(frozen=True)
class Workspace:
    ticket: Ticket
    now: datetime
    thread: list[dict[str, Any]]
    clocks: dict[str, SlaClock]
    sla: SlaState
    escalation: EscalationLink | None
    l2_news: list[L2News]
    l2_draft: str
    canned: list[tuple[CannedResponse, str]]
    related: list[Ticket]
    # Closed or merged: nothing but reopening (a closed one) is offered; can_* are False.
    read_only: bool
    can_reopen: bool
    can_triage: bool
    can_reply: bool
    can_note: bool
    can_escalate: bool


def ticket_workspace(ticket: Ticket, *, user: User) -> Workspace:
    """The ticket as ``user`` sees it on the desk (the ticket read with its relations)."""
    now = timezone.now()
    clocks = {clock.target: clock for clock in ticket.sla_clocks.all()}
    first = clocks.get(SlaTarget.FIRST_RESPONSE)
    thread = ticket_thread(ticket)
    link = escalation.ticket_escalation(ticket)
    read_only = ticket.status == Status.CLOSED or bool(ticket.merged_into_id)
    can_reply = roles.may(user, roles.REPLY) and not read_only
    news = escalation.pending_news(ticket)
    return Workspace(
        ticket=ticket,
        now=now,
        thread=thread,
        clocks=clocks,
        sla=queues.sla_state(
            ticket,
            now,
            warn_at=first.warn_at if first else None,
            warned=bool(first and first.warned_at),
        ),
        escalation=link,
        l2_news=news,
        # Only for the public reply box: a role that writes notes only never gets it.
        l2_draft=_l2_draft(ticket, link, thread, news) if can_reply else "",
        canned=_canned(ticket, user) if can_reply else [],
        related=related_tickets(ticket),
        read_only=read_only,
        can_reopen=read_only and not ticket.merged_into_id and roles.may(user, roles.TRIAGE),
        can_triage=roles.may(user, roles.TRIAGE) and not read_only,
        can_reply=can_reply,
        can_note=roles.may(user, roles.NOTE) and not read_only,
        can_escalate=roles.may(user, roles.ESCALATE)
        and not read_only
        and escalation.may_go_to_l2(ticket, link),
    )


def _l2_draft(
    ticket: Ticket,
    link: EscalationLink | None,
    thread: list[dict[str, Any]],
    news: list[L2News],
) -> str:
    """L2's news not yet passed on: an update drafted from it. Otherwise the draft L2's
    close or reopen left, until a public reply goes out."""
    return escalation.draft_customer_update(ticket, news=news) or escalation.draft_to_show(
        link, (item["message"] for item in thread if item["type"] == "message")
    )


def ticket_thread(ticket: Ticket) -> list[dict[str, Any]]:
    """Messages and history events in time order (a fixed number of queries)."""
    items: list[dict[str, Any]] = []
    thread = (
        Message.objects.filter(ticket=ticket)
        .select_related("author_user", "author_requester")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "id"))
        )
        .order_by("created_at", "id")
    )
    for message in thread:
        items.append({"type": "message", "at": message.created_at, "message": message})
    for event in TicketEvent.objects.filter(ticket=ticket).order_by("created_at", "id"):
        if event.kind == "message":
            continue
        items.append({"type": "event", "at": event.created_at, "event": event})
    items.sort(key=lambda item: (item["at"], 0 if item["type"] == "message" else 1))
    return items


def related_tickets(ticket: Ticket) -> list[Ticket]:
    """The requester's other tickets and the duplicates merged into this one, newest first.

    Two ordered parts, not one filter with an OR: each reads its own index in order
    and stops after ``RELATED_LIMIT`` rows (``ticket_requester_created`` for the
    requester's; ``ticket_merged_into`` for the merged ones, a handful at most). With
    the OR, PostgreSQL walked the whole creation-date index for a requester with two
    tickets (seconds at a million tickets). One UNION where the database allows
    ordered parts in it (PostgreSQL), two queries otherwise (SQLite).
    """
    shown = (
        Ticket.objects.select_related("requester")
        .only("pk", "subject", "status", "created_at", "merged_into_id", "requester__email")
        .order_by("-created_at", "-id")
    )
    theirs = shown.filter(requester_id=ticket.requester_id).exclude(pk=ticket.pk)[:RELATED_LIMIT]
    merged = shown.filter(merged_into=ticket)[:RELATED_LIMIT]
    if connection.features.supports_slicing_ordering_in_compound:
        return list(theirs.union(merged).order_by("-created_at", "-id")[:RELATED_LIMIT])
    found = {related.pk: related for related in [*theirs, *merged]}
    newest_first = sorted(found.values(), key=lambda t: (t.created_at, t.pk), reverse=True)
    return newest_first[:RELATED_LIMIT]


def _canned(ticket: Ticket, user: User) -> list[tuple[CannedResponse, str]]:
    # The shared responses and the agent's own personal ones.
    responses = (
        CannedResponse.objects.active()
        .visible_to(user)
        .select_related("set_category", "set_impact")
        .order_by("owner_id", "position", "title")
    )
    return [
        (response, canned_render(response, ticket=ticket, agent=user)) for response in responses
    ]
