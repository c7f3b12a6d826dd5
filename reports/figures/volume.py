"""Tickets created, resolved and open; where they come from; how long they took."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import (
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    QuerySet,
)
from django.db.models.expressions import RawSQL

from reports.figures.common import (
    NOT_SET,
    TOP,
    Breakdown,
    Rate,
    Share,
    Spread,
    VolumeRow,
    choice_names,
    created_in_period,
    done_at_expr,
    in_period,
    local_day,
    percent_of,
    rows_counted,
    spread_of,
    trunc_bucket,
)
from reports.figures.created import CreatedGroup
from reports.filters import Period, ReportFilters
from tickets.models import (
    OPEN_STATUSES,
    Ticket,
)
from tickets.queues import DeskLists


@dataclass
class CreatedFigures:
    per_bucket: dict[date, int]
    by_category: Breakdown
    by_impact: Breakdown


def created_figures(
    filters: ReportFilters, lists: DeskLists, groups: list[CreatedGroup]
) -> CreatedFigures:
    """Created per bucket, split by category and by impact, from the period's groups.

    Grouped by ids, not names: no join, so PostgreSQL reads only the covering
    index; the names and their admin order come from the desk's lists.
    """
    period = filters.period
    buckets = period.buckets()
    index = {bucket: i for i, bucket in enumerate(buckets)}
    per_bucket: dict[date, int] = {}
    split: dict[str, dict[int | None, list[int]]] = {"categories": {}, "impacts": {}}
    for group in groups:
        day = group.bucket
        per_bucket[day] = per_bucket.get(day, 0) + group.n
        for kind, key in (("categories", group.category_id), ("impacts", group.impact_id)):
            values = split[kind].setdefault(key, [0] * len(buckets))
            values[index[day]] += group.n
    labels = [period.label(b) for b in buckets]

    def breakdown(kind: str) -> Breakdown:
        order = [choice.id for choice in getattr(lists, kind)]
        names = choice_names(lists, kind)
        counted = split[kind]
        keys = [key for key in order if key in counted] + [None] * (None in counted)
        return Breakdown(labels, [(names.get(key, NOT_SET), counted[key]) for key in keys])

    return CreatedFigures(per_bucket, breakdown("categories"), breakdown("impacts"))


@dataclass
class WhereFigures:
    """Tickets created in the period by hub and partner, with how many went to L2."""

    total: int
    hubs: list[Share]
    partners: list[Share]
    escalation: Rate


def where_figures(lists: DeskLists, groups: list[CreatedGroup]) -> WhereFigures:
    total = sum(group.n for group in groups)
    hub_names, partner_names = choice_names(lists, "hubs"), choice_names(lists, "partners")
    hubs: dict[str, int] = {}
    partners: dict[str, int] = {}
    for group in groups:
        hub = hub_names.get(group.hub_id, NOT_SET)
        partner = partner_names.get(group.partner_id, NOT_SET)
        hubs[hub] = hubs.get(hub, 0) + group.n
        partners[partner] = partners.get(partner, 0) + group.n
    return WhereFigures(
        total,
        _top(hubs, total),
        _top(partners, total),
        Rate(sum(group.escalated for group in groups), total),
    )


def _top(counts: dict[str, int], total: int) -> list[Share]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP]
    return [Share(label, n, percent_of(n, total)) for label, n in ordered]


def with_done_at(filters: ReportFilters) -> QuerySet[Ticket]:
    return Ticket.objects.filter(filters.tickets()).annotate(done_at=done_at_expr())


def resolved_per_bucket(filters: ReportFilters) -> dict[date, int]:
    period = filters.period
    return _counts_by_bucket(
        with_done_at(filters).filter(in_period("done_at", period)), "done_at", period
    )


def _counts_by_bucket(qs: QuerySet[Any], field_name: str, period: Period) -> dict[date, int]:
    rows = (
        qs.annotate(bucket=trunc_bucket(field_name, period))
        .values("bucket")
        .annotate(n=rows_counted())
        .order_by()
    )
    return {local_day(row["bucket"]): row["n"] for row in rows}


def open_at_end(filters: ReportFilters) -> int:
    """Tickets created by the end of the period and not done by then.

    Those still open now (the status index), plus those done since the end (the
    "done" index): two small index scans instead of one over every ticket.
    """
    ends = filters.period.ends_at
    scope = Ticket.objects.filter(filters.tickets(), created_at__lt=ends)
    still_open = scope.filter(status__in=OPEN_STATUSES).count()
    done_since = (
        scope.exclude(status__in=OPEN_STATUSES)
        .annotate(done_at=done_at_expr())
        .filter(done_at__gte=ends)
        .count()
    )
    return still_open + done_since


def volume_rows(
    period: Period, created: dict[date, int], resolved: dict[date, int], open_at_end: int
) -> list[VolumeRow]:
    """Created and resolved per bucket; the backlog walked back from the period's end."""
    buckets = period.buckets()
    backlog = open_at_end
    after: list[int] = []
    for bucket in reversed(buckets):
        after.append(backlog)
        backlog -= created.get(bucket, 0) - resolved.get(bucket, 0)
    ends = list(reversed(after))
    return [
        VolumeRow(b, period.label(b), created.get(b, 0), resolved.get(b, 0), ends[i])
        for i, b in enumerate(buckets)
    ]


def resolution_time(filters: ReportFilters) -> Spread:
    """Calendar hours from the client reaching out to the ticket being resolved or closed."""
    resolved = (
        with_done_at(filters)
        .filter(in_period("done_at", filters.period))
        .annotate(
            took=ExpressionWrapper(F("done_at") - F("received_at"), output_field=DurationField())
        )
    )
    return spread_of(resolved, "took")


def _shares(rows: Iterable[Any], key: str, total: int) -> list[Share]:
    return [Share(row[key] or NOT_SET, row["n"], percent_of(row["n"], total)) for row in rows]


def top_issue_tags(filters: ReportFilters, total: int) -> list[Share]:
    rows = (
        _tags_of_period(filters)
        .values("issuetag__name")
        .annotate(n=rows_counted())
        .order_by("-n", "issuetag__name")[:TOP]
    )
    return _shares(rows, "issuetag__name", total)


def _tags_of_period(filters: ReportFilters) -> QuerySet[Any]:
    """The tag rows of the tickets created in the period.

    On PostgreSQL each tag row carries its ticket's creation time (migration 0018,
    kept by triggers): the period's tag rows are one range of an index that holds
    the tag, instead of a join over every tag row. Other filters narrow them to the
    tickets they allow, within the same period.
    """
    through = Ticket.issue_tags.through
    in_period_tickets = created_in_period(filters).values("pk")
    if connection.vendor != "postgresql":
        return through.objects.filter(ticket__in=in_period_tickets)
    column = f"{connection.ops.quote_name(through._meta.db_table)}.ticket_created_at"
    rows = through.objects.alias(
        ticket_created=RawSQL(column, (), output_field=DateTimeField())  # noqa: S611 - a column name, no input
    ).filter(in_period("ticket_created", filters.period))
    return rows.filter(ticket__in=in_period_tickets) if filters.values else rows
