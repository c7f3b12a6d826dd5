"""Query plans on PostgreSQL: the desk's queues and the workspace read tickets through indexes.

A table of a few thousand rows is cheap to read whole, so a plan there says little
about one at a million. These tests ask PostgreSQL what it *could* do: with
sequential scans priced out (``enable_seqscan = off``), a query still planned as a
sequential scan of ``tickets_ticket`` has no index able to serve it, and would read
the whole table at any size. The related tickets' plan is checked more strictly:
the requester's index must narrow the rows (an index condition), not only order them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import IssueTag
from demo import seeding
from reports.figures.volume import top_issue_tags
from reports.filters import Period, ReportFilters
from tests import factories
from tickets import queues
from tickets.models import Ticket
from tickets.queues.keyset import RELEVANCE, SORTS
from tickets.workspace import related_tickets

pytestmark = pytest.mark.django_db

TICKETS = "tickets_ticket"


def plan_nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


def plan_of(sql: str) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # what could serve it, at any size
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        (row,) = cursor.fetchone()
        cursor.execute("SET LOCAL enable_seqscan = on")  # the test's own queries as usual
    document = json.loads(row) if isinstance(row, str) else row
    return document[0]["Plan"]


def tickets_read_whole(sql: str) -> bool:
    return any(
        node["Node Type"] == "Seq Scan" and node.get("Relation Name") == TICKETS
        for node in plan_nodes(plan_of(sql))
    )


def ticket_selects(queries: list[dict[str, str]]) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip(" (").upper().startswith("SELECT") and f'"{TICKETS}"' in q["sql"]
    ]


def queue_view_queries(agent, slug: str, params: dict[str, str]) -> list[str]:
    """The SQL of a queue's first and second page and of its counts, as the desk runs them."""
    now = timezone.now()
    lists = queues.desk_lists(agent)
    with CaptureQueriesContext(connection) as captured:
        query = queues.parse_queue_query(slug, params, lists)
        page = queues.queue_page(query, agent, now)
        queues.queue_counts(query, agent, now)
        if page.next_cursor:
            later = queues.parse_queue_query(slug, {**params, "after": page.next_cursor}, lists)
            queues.queue_page(later, agent, now)
    return ticket_selects(captured.captured_queries)


@pytest.fixture
def busy_desk():
    """A few thousand generated tickets with fresh statistics, some urgent, one agent."""
    seeding.bulk_create_tickets(count=3000, seed=11, batch_size=1000)
    newest = Ticket.objects.order_by("-created_at").values("pk")[:5]
    Ticket.objects.filter(pk__in=newest).update(is_urgent=True, urgent_at=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket")
    return factories.l1_agent()


@pytest.mark.postgres
def test_every_queue_in_every_sort_reads_tickets_through_an_index(busy_desk):
    hub = factories.hub()
    impact = factories.impact("critical")
    views = [
        (slug, {"sort": sort}) for slug in queues.QUEUES for sort in SORTS if sort != RELEVANCE
    ]
    views += [
        (slug, {"hub": hub.slug, "impact": impact.slug, "channel": "email"})
        for slug in ("new", "all")
    ]
    views += [(slug, {"q": "export"}) for slug in ("new", "all")]  # best match first
    checked = [
        (slug, params, sql)
        for slug, params in views
        for sql in queue_view_queries(busy_desk, slug, params)
    ]
    assert len(checked) > 3 * len(views)  # pages, second pages and counts were all read
    assert [view for view in checked if tickets_read_whole(view[2])] == []


@pytest.mark.postgres
def test_the_related_tickets_are_read_from_the_requesters_index_not_by_walking_every_ticket():
    requester = factories.RequesterFactory()
    older = factories.TicketFactory(requester=requester)
    ticket = factories.TicketFactory(requester=requester)
    duplicate = factories.TicketFactory()
    duplicate.merged_into = ticket
    duplicate.save(update_fields=["merged_into"])
    seeding.bulk_create_tickets(count=1000, seed=5)

    with CaptureQueriesContext(connection) as captured:
        related = related_tickets(ticket)

    assert set(related) == {older, duplicate}
    selects = ticket_selects(captured.captured_queries)
    assert len(selects) == 1  # one UNION of the two ordered parts
    for sql in selects:
        scans = [node for node in plan_nodes(plan_of(sql)) if node.get("Relation Name") == TICKETS]
        assert scans, sql
        assert all("Index Cond" in node or "Recheck Cond" in node for node in scans), sql


def test_the_workspace_lists_the_requesters_other_tickets_and_the_merged_ones_newest_first():
    requester = factories.RequesterFactory()
    now = timezone.now()
    ticket = factories.TicketFactory(requester=requester, created_at=now - timedelta(days=3))
    theirs = [
        factories.TicketFactory(requester=requester, created_at=now - timedelta(days=d))
        for d in (1, 5)
    ]
    duplicate = factories.TicketFactory(created_at=now - timedelta(days=2))
    duplicate.merged_into = ticket
    duplicate.save(update_fields=["merged_into"])
    factories.TicketFactory(created_at=now)  # someone else's

    assert related_tickets(ticket) == [theirs[0], duplicate, theirs[1]]


@pytest.mark.postgres
def test_the_top_issue_tags_read_only_the_tag_rows_of_the_period_through_their_index():
    seeding.bulk_create_tickets(count=1000, seed=5)
    through, tags = Ticket.issue_tags.through, list(IssueTag.objects.order_by("pk")[:4])
    through.objects.bulk_create(
        through(ticket_id=pk, issuetag_id=tags[pk % len(tags)].pk)
        for pk in Ticket.objects.values_list("pk", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket_issue_tags")
    today = timezone.localdate()
    period = Period(today - timedelta(days=27), today)
    hub = Ticket.objects.exclude(hub=None).values_list("hub_id", flat=True).first()
    plans = []
    for values in ({}, {"hub": hub}):
        with CaptureQueriesContext(connection) as captured:
            top_issue_tags(ReportFilters(period, values), total=1)
        (sql,) = [q["sql"] for q in captured.captured_queries]
        plans.append(list(plan_nodes(plan_of(sql))))
    tag_rows = [
        [node for node in plan if node.get("Relation Name") == "tickets_ticket_issue_tags"]
        for plan in plans
    ]
    # Every tag row read is one of the period's, found by the index on its ticket's creation.
    assert all(
        node.get("Index Name") == "ticket_issue_tags_created" and "Index Cond" in node
        for scans in tag_rows
        for node in scans
    ), [[node.get("Index Name") for node in scans] for scans in tag_rows]
    assert all(tag_rows)
    # With no other filter, the tickets themselves are not read at all.
    assert not [node for node in plans[0] if node.get("Relation Name") == TICKETS]
