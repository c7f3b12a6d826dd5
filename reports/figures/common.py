"""What every figure shares: buckets, periods, percentiles and small result types."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DateField,
    DurationField,
    F,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, Trunc
from django.utils import timezone, translation

from reports.filters import Period, ReportFilters
from tickets.models import Ticket
from tickets.queues import DeskLists

NOT_SET = "—"
TOP = 15
BREACHED_LISTED = 100


def local_day(value: Any) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date()
    return value


def trunc_bucket(field_name: str, period: Period) -> Trunc:
    """The local day a bucket begins, as a date from the database.

    A date, not a datetime: no zone conversion per row in Python, which cost more
    than the query itself for a grouped figure of thousands of rows.
    """
    return Trunc(
        field_name, period.grain, output_field=DateField(), tzinfo=timezone.get_current_timezone()
    )


def in_period(field_name: str, period: Period) -> Q:
    return Q(**{f"{field_name}__gte": period.starts_at, f"{field_name}__lt": period.ends_at})


def percent_of(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def in_hours(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 1)


def nearest_rank(values: QuerySet[Any], expression: str, share: float, count: int) -> Any:
    """The value at ``share`` (0.5 = median) by the nearest-rank method: one query."""
    if not count:
        return None
    rank = max(1, math.ceil(share * count))
    return values.order_by(expression).values_list(expression, flat=True)[rank - 1]


def labels_of(*choices: Any) -> list[str]:
    """A choice's label in every language the site runs in: history rows keep the label."""
    found: set[str] = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.update(str(choice.label) for choice in choices)
    return sorted(found)


def rows_counted(condition: Q | None = None) -> Count:
    """``COUNT(*)``, or ``COUNT(1) FILTER (WHERE condition)``: the rows, without reading ``id``.

    ``Count("pk")`` reads ``id``, which the covering report indexes (migration 0008)
    do not hold: PostgreSQL then visits the table for every row (about 40,000 heap
    pages per figure at 1,000,000 tickets) instead of answering from the index alone.
    Django refuses ``Count("*", filter=...)``, hence the constant for filtered counts.
    """
    if condition is None:
        return Count("*")
    return Count(Value(1), filter=condition)


def done_at_expr() -> Coalesce:
    """When a ticket stopped needing work: resolved, or closed without being resolved."""
    return Coalesce("resolved_at", "closed_at")


class NearestRanks(Aggregate):
    """PostgreSQL's ``percentile_disc`` at the median and the 90th percentile, in one pass.

    ``percentile_disc`` picks the first value whose cumulative share reaches the
    fraction: the nearest-rank method that :func:`nearest_rank` uses elsewhere.
    """

    function = "PERCENTILE_DISC"
    template = "%(function)s(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any) -> None:
        super().__init__(expression, output_field=ArrayField(DurationField()))


@dataclass(frozen=True)
class Spread:
    """The median and 90th percentile of a duration, in hours, over ``count`` tickets."""

    count: int
    median: float | None
    p90: float | None


def spread_of(qs: QuerySet[Any], expression: str) -> Spread:
    if connection.vendor == "postgresql":
        row = qs.aggregate(n=rows_counted(), ranks=NearestRanks(F(expression)))
        ranks = row["ranks"] or [None, None]
        return Spread(row["n"], in_hours(ranks[0]), in_hours(ranks[1]))
    count = qs.count()
    return Spread(
        count,
        in_hours(nearest_rank(qs, expression, 0.5, count)),
        in_hours(nearest_rank(qs, expression, 0.9, count)),
    )


@dataclass(frozen=True)
class VolumeRow:
    bucket: date
    label: str
    created: int
    resolved: int
    backlog: int  # open at the end of the bucket


@dataclass(frozen=True)
class Breakdown:
    """Counts per bucket for each value of one dimension (a stacked bar chart)."""

    labels: list[str]  # bucket labels
    series: list[tuple[str, list[int]]]  # (dimension value, count per bucket)

    def rows(self) -> list[list[Any]]:
        return [[label, *(values[i] for _name, values in self.series)] for i, label in
                enumerate(self.labels)]  # fmt: skip


@dataclass(frozen=True)
class Rate:
    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return percent_of(self.part, self.whole)


@dataclass(frozen=True)
class Share:
    label: str
    count: int
    percent: float | None


def created_in_period(filters: ReportFilters) -> QuerySet[Ticket]:
    return Ticket.objects.filter(filters.tickets(), in_period("created_at", filters.period))


def choice_names(lists: DeskLists, kind: str) -> dict[int | None, str]:
    return {choice.id: choice.label for choice in getattr(lists, kind)}
