"""Running a queue view: its tickets, its rows, bounded counts, a page, a ticket's neighbours.

Rows come with their related rows (``select_related``) and with their SLA
warning time and issue tags as subqueries, so a page costs the same number of
queries whatever its size; every queue's count is counted up to
:data:`COUNT_BOUND` and shown as "1,000+" beyond it, all in one SQL statement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    CharField,
    F,
    OuterRef,
    QuerySet,
    StringAgg,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast

from tickets.filters import FilterValues
from tickets.models import SlaClock, SlaTarget, Ticket
from tickets.queues import count_cache
from tickets.queues.definitions import QUEUES, QueueDef
from tickets.queues.keyset import (
    RELEVANCE,
    Page,
    cursor_for,
    encode_cursor,
    keyset_page,
    segments_for,
)
from tickets.queues.lists import _LIST_KINDS, Choice, DeskLists
from tickets.queues.query import QueueQuery
from tickets.queues.relevance import encode_offset, ranked, ranked_ids
from tickets.queues.sla_state import SlaState, sla_state
from tickets.search import TicketTextSearch

COUNT_BOUND = 1000


def filtered_tickets(query: QueueQuery, user: User, now: datetime) -> QuerySet[Ticket]:
    """The queue's tickets with the query's filters and search applied (no order, no rows)."""
    tickets = query.queue.tickets(user, now)
    for key, values in query.filters.items():
        # One filter() per key, as before: each key narrows the tickets on its own.
        tickets = tickets.filter(
            FilterValues({key: values}).condition(query.lists, user_id=user.pk)
        )
    if query.text_search is not None:
        tickets = query.text_search.narrow(tickets)
    return tickets


ROW_FIELDS = (
    "id", "subject", "status", "escalation_status", "channel", "version", "partner", "hub",
    "product", "category", "impact", "assignee", "first_response_due_at", "first_responded_at",
    "first_response_breached_at", "created_at", "updated_at", "is_urgent", "l2_news_at",
    "customer_replied_at", "next_response_due_at",
)  # fmt: skip


def with_row_details(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """What a queue row shows, fetched with the row: requester, SLA warning time, tag ids.

    The names of hubs, partners, products, categories, impacts, tags and agents
    come from :func:`desk_lists` (already loaded for the filters), not from joins:
    a row query with one join plans in a fraction of the time of one with seven.
    The requester's name and address come as two columns of that join
    (``row_requester_name``, ``row_requester_email``), not as 50 more model objects.
    """
    through = Ticket.issue_tags.through
    tag_ids = (
        through.objects.filter(ticket_id=OuterRef("pk"))
        .order_by()
        .values("ticket_id")
        .annotate(ids=StringAgg(Cast("issuetag_id", CharField()), delimiter=Value(",")))
        .values("ids")  # type: ignore[misc]  # the plugin does not see annotations here
    )
    warn_at = SlaClock.objects.filter(
        ticket_id=OuterRef("pk"), target=SlaTarget.FIRST_RESPONSE
    ).values("warn_at")[:1]
    return tickets.only(*ROW_FIELDS).annotate(
        row_requester_name=F("requester__name"),
        row_requester_email=F("requester__email"),
        tag_ids=Subquery(tag_ids, output_field=TextField()),
        sla_warn_at=Subquery(warn_at),
    )


@dataclass(frozen=True)
class Row:
    """One queue row: the ticket, its SLA state and the names of what it is tagged with."""

    ticket: Ticket
    sla: SlaState
    partner: Choice | None
    hub: Choice | None
    product: Choice | None
    category: Choice | None
    impact: Choice | None
    assignee: Choice | None
    tags: list[Choice]
    # What the search matched in the messages, escaped and highlighted ("" without one).
    snippet: str = ""


def queue_rows(
    tickets: Sequence[Ticket], lists: DeskLists, now: datetime, query: QueueQuery | None = None
) -> list[Row]:
    """The rows to show; with ``query``'s search, each with its snippet (one more query)."""
    maps = {kind: lists.by_id(kind) for kind in _LIST_KINDS.values()}
    search = query.text_search if query is not None else None
    snippets = search.snippets(t.pk for t in tickets) if search is not None else {}
    rows = []
    for ticket in tickets:
        raw_tags = getattr(ticket, "tag_ids", None) or ""
        tags = [
            maps["tags"][int(pk)] for pk in raw_tags.split(",") if pk and int(pk) in maps["tags"]
        ]
        rows.append(
            Row(
                ticket=ticket,
                sla=sla_state(ticket, now, warn_at=getattr(ticket, "sla_warn_at", None)),
                partner=maps["partners"].get(ticket.partner_id or 0),
                hub=maps["hubs"].get(ticket.hub_id or 0),
                product=maps["products"].get(ticket.product_id or 0),
                category=maps["categories"].get(ticket.category_id or 0),
                impact=maps["impacts"].get(ticket.impact_id or 0),
                assignee=maps["staff"].get(ticket.assignee_id or 0),
                tags=sorted(tags, key=lambda c: c.label.lower()),
                snippet=snippets.get(ticket.pk, ""),
            )
        )
    return rows


@dataclass
class QueueCounts:
    by_queue: dict[str, int]
    view: int
    bound: int = COUNT_BOUND

    def label(self, value: int) -> str:
        return f"{self.bound:,}+" if value > self.bound else f"{value:,}"


def bounded_counts(
    named: Iterable[tuple[str, QuerySet[Ticket]]], bound: int = COUNT_BOUND
) -> dict[str, int]:
    """How many rows each queryset has, counting to ``bound`` + 1 at most; one SQL statement."""
    parts: list[str] = []
    params: list[Any] = []
    names: list[str] = []
    for n, (name, tickets) in enumerate(named):
        try:
            sql, sql_params = tickets.order_by().values("pk")[: bound + 1].query.sql_with_params()
        except EmptyResultSet:  # .none(), e.g. a search with no word in it
            parts.append("0")
        else:
            parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS c{n})")  # noqa: S608 - ORM SQL
            params.extend(sql_params)
        names.append(name)
    if not parts:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return dict(zip(names, row, strict=True))


def queue_counts(query: QueueQuery, user: User, now: datetime) -> QueueCounts:
    """Every queue's bounded count and the view's, kept a few seconds (see count_cache)."""
    wanted = [
        (count_cache.queue_key(slug, user.pk), _tickets_of(q, user, now))
        for slug, q in QUEUES.items()
    ]
    # Without filters or search the view holds exactly its queue's tickets.
    view_key = count_cache.queue_key(query.queue.slug, user.pk)
    if query.filters or query.text_search is not None:
        here = query.querystring(sort=None, size=None)
        view_key = count_cache.view_key(user.pk, query.queue.slug, here)
        wanted.append((view_key, lambda: filtered_tickets(query, user, now)))
    counts = count_cache.cached_counts(wanted, bounded_counts)
    by_queue = {slug: counts[count_cache.queue_key(slug, user.pk)] for slug in QUEUES}
    return QueueCounts(by_queue=by_queue, view=counts[view_key])


def _tickets_of(queue: QueueDef, user: User, now: datetime) -> Callable[[], QuerySet[Ticket]]:
    return lambda: queue.tickets(user, now)


def queue_page(query: QueueQuery, user: User, now: datetime) -> Page:
    """The rows of one page of a queue view, with the links to the pages around it."""
    if query.sort == RELEVANCE and query.text_search is not None:
        return _ranked_page(query, user, now, query.text_search)
    segments = segments_for(query.sort, query.lists)
    tickets = with_row_details(filtered_tickets(query, user, now))
    if query.before is not None:
        rows, has_previous = keyset_page(
            tickets, segments, cursor=query.before, size=query.size, backwards=True
        )
        rows.reverse()
        has_next = True
    else:
        rows, has_next = keyset_page(tickets, segments, cursor=query.after, size=query.size)
        has_previous = query.after is not None
    page = Page(rows=rows)
    if rows and has_next:
        page.next_cursor = encode_cursor(cursor_for(rows[-1], segments))
    if rows and has_previous:
        page.previous_cursor = encode_cursor(cursor_for(rows[0], segments))
    return page


def neighbours(
    query: QueueQuery, ticket: Ticket, user: User, now: datetime
) -> tuple[int | None, int | None]:
    """The ids of the tickets before and after ``ticket`` in a queue view (for j / k)."""
    if query.sort == RELEVANCE and query.text_search is not None:
        ids = ranked_ids(filtered_tickets(query, user, now), query.text_search)
        if ticket.pk not in ids:
            return None, None
        at = ids.index(ticket.pk)
        return (ids[at - 1] if at else None, ids[at + 1] if at + 1 < len(ids) else None)
    segments = segments_for(query.sort, query.lists)
    try:
        here = cursor_for(ticket, segments)
    except ValueError:
        return None, None
    tickets = filtered_tickets(query, user, now).only(
        "pk",
        "first_response_due_at",
        "next_response_due_at",
        "impact",
        "created_at",
        "updated_at",
        "is_urgent",
        "l2_news_at",
    )
    before, _ = keyset_page(tickets, segments, cursor=here, size=1, backwards=True)
    after, _ = keyset_page(tickets, segments, cursor=here, size=1)
    return (before[0].pk if before else None, after[0].pk if after else None)


def _ranked_page(query: QueueQuery, user: User, now: datetime, search: TicketTextSearch) -> Page:
    offset = int(query.after.value) if query.after is not None else 0
    tickets = ranked(filtered_tickets(query, user, now), search)
    rows = list(with_row_details(tickets)[offset : offset + query.size + 1])
    page = Page(rows=rows[: query.size])
    if len(rows) > query.size:
        page.next_cursor = encode_offset(offset + query.size)
    if offset:
        page.previous_cursor = encode_offset(max(0, offset - query.size))
    return page
