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

from catalog.memo import all_rows
from catalog.models import Category, Hub, Impact, IssueTag, Product
from tickets import escalation, queues, roles
from tickets.models import (
    Attachment,
    CannedResponse,
    EscalationLink,
    L2News,
    Message,
    MessageKind,
    SlaClock,
    SlaTarget,
    Status,
    Ticket,
    TicketEvent,
)
from tickets.queues.sla_state import SlaState
from tickets.services import canned_render

RELATED_LIMIT = 10
# A thread longer than this shows its newest items and a link to the whole of it: a
# ticket that went on for years must not make its page (and every visit) grow with it.
THREAD_LIMIT = 100


@dataclass(frozen=True)
class Workspace:
    ticket: Ticket
    now: datetime
    thread: list[dict[str, Any]]
    thread_earlier: bool  # older messages or events than the shown ones were left out
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


# The people and partners around a ticket are read with it; its hub, product, category
# and impact come from the process's catalog (catalog.memo). With those four joins too,
# PostgreSQL spent 9-30 ms planning an 11-table join for one row (0.4 ms to run it).
# The ticket a merged one points to is read only for a merged ticket (when shown).
_JOINED = ("requester", "requester__partner", "partner", "assignee", "created_by")
_CATALOG = (("hub", Hub), ("product", Product), ("category", Category), ("impact", Impact))


def workspace_ticket(pk: int) -> Ticket | None:
    """The ticket with everything its workspace header and triage panel show."""
    tickets = Ticket.objects.select_related(*_JOINED).prefetch_related(
        Prefetch("issue_tags", queryset=IssueTag.objects.order_by("name"))
    )
    try:  # get(), not first(): no ORDER BY to build for one primary key (≈ 2 ms of CPU)
        ticket = tickets.get(pk=pk)
    except Ticket.DoesNotExist:
        return None
    for name, model in _CATALOG:
        row_id = getattr(ticket, f"{name}_id")
        row = all_rows(model).get(row_id) if row_id is not None else None
        if row is not None or row_id is None:  # one added a moment ago: read when shown
            Ticket._meta.get_field(name).set_cached_value(ticket, row)  # type: ignore[union-attr]
    return ticket


def ticket_workspace(ticket: Ticket, *, user: User, whole_thread: bool = False) -> Workspace:
    """The ticket as ``user`` sees it on the desk (the ticket read with its relations).

    The newest ``THREAD_LIMIT`` items of its thread, or all of them (``whole_thread``).
    """
    now = timezone.now()
    clocks = {clock.target: clock for clock in ticket.sla_clocks.all()}
    first = clocks.get(SlaTarget.FIRST_RESPONSE)
    thread, earlier = ticket_thread(ticket, None if whole_thread else THREAD_LIMIT)
    link = escalation.ticket_escalation(ticket)
    read_only = ticket.status == Status.CLOSED or bool(ticket.merged_into_id)
    can_reply = roles.may(user, roles.REPLY) and not read_only
    news = escalation.pending_news(ticket)
    return Workspace(
        ticket=ticket,
        now=now,
        thread=thread,
        thread_earlier=earlier,
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
        l2_draft=_l2_draft(ticket, link, thread if not earlier else None, news)
        if can_reply
        else "",
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
    thread: list[dict[str, Any]] | None,
    news: list[L2News],
) -> str:
    """L2's news not yet passed on: an update drafted from it. Otherwise the draft L2's
    close or reopen left, until a public reply goes out.

    ``thread`` is None when only its newest part was read: the newest public reply
    then says whether one went out since the draft (read only if there is a draft).
    """
    if thread is None:
        messages: Any = Message.objects.filter(ticket=ticket, kind=MessageKind.REPLY).order_by(
            "-created_at", "-id"
        )[:1]
    else:
        messages = (item["message"] for item in thread if item["type"] == "message")
    return escalation.draft_customer_update(ticket, news=news) or escalation.draft_to_show(
        link, messages
    )


def ticket_thread(ticket: Ticket, limit: int | None = None) -> tuple[list[dict[str, Any]], bool]:
    """Messages and history events in time order (a fixed number of queries).

    With a ``limit``, only the newest ``limit`` of them, and whether earlier ones exist.
    """
    messages = (
        Message.objects.filter(ticket=ticket)
        .select_related("author_user", "author_requester")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "id"))
        )
        .order_by("-created_at", "-id")
    )
    events = TicketEvent.objects.filter(ticket=ticket).order_by("-created_at", "-id")
    if limit is not None:  # the newest `limit` of both together are among these
        messages, events = messages[: limit + 1], events[: limit + 1]
    items: list[dict[str, Any]] = [
        {"type": "message", "at": message.created_at, "message": message, "id": message.pk}
        for message in messages
    ]
    items += [{"type": "event", "at": e.created_at, "event": e, "id": e.pk} for e in events]
    items.sort(key=lambda item: (item["at"], 0 if item["type"] == "message" else 1, item["id"]))
    if limit is not None and len(items) > limit:
        return items[-limit:], True
    return items, False


def related_tickets(ticket: Ticket) -> list[Ticket]:
    """The requester's other tickets and the duplicates merged into this one, newest first.

    Two ordered parts, not one filter with an OR: each reads its own index in order
    and stops after ``RELATED_LIMIT`` rows (``ticket_requester_created`` for the
    requester's; ``ticket_merged_into`` for the merged ones, a handful at most). With
    the OR, PostgreSQL walked the whole creation-date index for a requester with two
    tickets (seconds at a million tickets). One UNION where the database allows
    ordered parts in it (PostgreSQL), two queries otherwise (SQLite).
    """
    if connection.features.supports_slicing_ordering_in_compound:
        return list(Ticket.objects.raw(_RELATED_SQL, _related_params(ticket)))
    shown = Ticket.objects.only(*_RELATED_FIELDS).order_by("-created_at", "-id")
    theirs = shown.filter(requester_id=ticket.requester_id).exclude(pk=ticket.pk)
    merged = shown.filter(merged_into=ticket)
    found = {t.pk: t for t in [*theirs[:RELATED_LIMIT], *merged[:RELATED_LIMIT]]}
    newest_first = sorted(found.values(), key=lambda t: (t.created_at, t.pk), reverse=True)
    return newest_first[:RELATED_LIMIT]


# The same UNION the ORM builds, written once: composing it cost ≈ 4 ms of CPU per page.
_RELATED_FIELDS = ("id", "subject", "status", "created_at", "merged_into_id")
_RELATED_COLUMNS = ", ".join(f'"{name}"' for name in _RELATED_FIELDS)
_RELATED_ORDER = 'ORDER BY "created_at" DESC, "id" DESC LIMIT %s'
_RELATED_SQL = (
    f'(SELECT {_RELATED_COLUMNS} FROM "{Ticket._meta.db_table}" '  # noqa: S608 - fixed names
    f'WHERE "requester_id" = %s AND "id" <> %s {_RELATED_ORDER}) UNION '
    f'(SELECT {_RELATED_COLUMNS} FROM "{Ticket._meta.db_table}" '
    f'WHERE "merged_into_id" = %s {_RELATED_ORDER}) {_RELATED_ORDER}'
)


def _related_params(ticket: Ticket) -> list[int]:
    return [ticket.requester_id, ticket.pk, RELATED_LIMIT, ticket.pk, RELATED_LIMIT, RELATED_LIMIT]


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
