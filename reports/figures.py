"""Every figure of the managers' report, computed in the database with aggregates.

Each function runs a fixed number of queries whatever the number of tickets:
counts are grouped by bucket or by dimension in SQL, and a percentile is one
count and one ``ORDER BY … OFFSET`` row (nearest rank), which every database
supports. Working-hour figures come from the SLA clocks, which keep the
working time each target used on the hub's own calendar.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce, Trunc
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kb.models import ArticleVote, SuggestionEvent, SuggestionKind, SuggestionSource
from reports.filters import Period, ReportFilters
from tickets.models import (
    OPEN_STATUSES,
    Channel,
    EscalationLink,
    EscalationStatus,
    EventKind,
    IssueState,
    SlaClock,
    SlaTarget,
    Status,
    Ticket,
    TicketEvent,
)
from tickets.queues import DeskLists

NOT_SET = "—"
TOP = 15
BREACHED_LISTED = 100


# --- Helpers ----------------------------------------------------------------------------


def _local_day(value: Any) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date()
    return value


def _bucket(field_name: str, period: Period) -> Trunc:
    return Trunc(field_name, period.grain, tzinfo=timezone.get_current_timezone())


def _in_period(field_name: str, period: Period) -> Q:
    return Q(**{f"{field_name}__gte": period.starts_at, f"{field_name}__lt": period.ends_at})


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _hours(value: timedelta | None) -> float | None:
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


def _done_at() -> Coalesce:
    """When a ticket stopped needing work: resolved, or closed without being resolved."""
    return Coalesce("resolved_at", "closed_at")


# --- Percentiles ---------------------------------------------------------------------------


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


def _spread(qs: QuerySet[Any], expression: str) -> Spread:
    if connection.vendor == "postgresql":
        row = qs.aggregate(n=Count("pk"), ranks=NearestRanks(F(expression)))
        ranks = row["ranks"] or [None, None]
        return Spread(row["n"], _hours(ranks[0]), _hours(ranks[1]))
    count = qs.count()
    return Spread(
        count,
        _hours(nearest_rank(qs, expression, 0.5, count)),
        _hours(nearest_rank(qs, expression, 0.9, count)),
    )


# --- Tickets created, resolved, open ------------------------------------------------------


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
        return _percent(self.part, self.whole)


@dataclass(frozen=True)
class Share:
    label: str
    count: int
    percent: float | None


def _created(filters: ReportFilters) -> QuerySet[Ticket]:
    return Ticket.objects.filter(filters.tickets(), _in_period("created_at", filters.period))


@dataclass
class CreatedFigures:
    per_bucket: dict[date, int]
    by_category: Breakdown
    by_impact: Breakdown


def created_figures(filters: ReportFilters, lists: DeskLists) -> CreatedFigures:
    """Created per bucket, split by category and by impact: one grouped scan of the period.

    Grouped by ids, not names: no join, so PostgreSQL reads only the covering
    index; the names and their admin order come from the desk's lists.
    """
    period = filters.period
    rows = (
        _created(filters)
        .annotate(bucket=_bucket("created_at", period))
        .values("bucket", "category_id", "impact_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    buckets = period.buckets()
    index = {bucket: i for i, bucket in enumerate(buckets)}
    per_bucket: dict[date, int] = {}
    split: dict[str, dict[int | None, list[int]]] = {"categories": {}, "impacts": {}}
    for row in rows:
        day = _local_day(row["bucket"])
        per_bucket[day] = per_bucket.get(day, 0) + row["n"]
        for kind, key in (("categories", row["category_id"]), ("impacts", row["impact_id"])):
            values = split[kind].setdefault(key, [0] * len(buckets))
            values[index[day]] += row["n"]
    labels = [period.label(b) for b in buckets]

    def breakdown(kind: str) -> Breakdown:
        order = [choice.id for choice in getattr(lists, kind)]
        names = _names(lists, kind)
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
    web: int  # written on the Contact Us form


def where_figures(filters: ReportFilters, lists: DeskLists) -> WhereFigures:
    rows = list(
        _created(filters)
        .values("hub_id", "partner_id")
        .annotate(
            n=Count("pk"),
            escalated=Count("pk", filter=~Q(escalation_status=EscalationStatus.NONE)),
            web=Count("pk", filter=Q(channel=Channel.WEB)),
        )
        .order_by()
    )
    total = sum(row["n"] for row in rows)
    hub_names, partner_names = _names(lists, "hubs"), _names(lists, "partners")
    hubs: dict[str, int] = {}
    partners: dict[str, int] = {}
    for row in rows:
        hub = hub_names.get(row["hub_id"], NOT_SET)
        partner = partner_names.get(row["partner_id"], NOT_SET)
        hubs[hub] = hubs.get(hub, 0) + row["n"]
        partners[partner] = partners.get(partner, 0) + row["n"]
    return WhereFigures(
        total,
        _top(hubs, total),
        _top(partners, total),
        Rate(sum(row["escalated"] for row in rows), total),
        sum(row["web"] for row in rows),
    )


def _top(counts: dict[str, int], total: int) -> list[Share]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP]
    return [Share(label, n, _percent(n, total)) for label, n in ordered]


def _done(filters: ReportFilters) -> QuerySet[Ticket]:
    return Ticket.objects.filter(filters.tickets()).annotate(done_at=_done_at())


def resolved_per_bucket(filters: ReportFilters) -> dict[date, int]:
    period = filters.period
    return _counts_by_bucket(
        _done(filters).filter(_in_period("done_at", period)), "done_at", period
    )


def _counts_by_bucket(qs: QuerySet[Any], field_name: str, period: Period) -> dict[date, int]:
    rows = (
        qs.annotate(bucket=_bucket(field_name, period))
        .values("bucket")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {_local_day(row["bucket"]): row["n"] for row in rows}


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
        .annotate(done_at=_done_at())
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
        _done(filters)
        .filter(_in_period("done_at", filters.period))
        .annotate(
            took=ExpressionWrapper(F("done_at") - F("received_at"), output_field=DurationField())
        )
    )
    return _spread(resolved, "took")


# --- First-response SLA ---------------------------------------------------------------------


@dataclass(frozen=True)
class Compliance:
    label: str
    on_time: int
    late: int
    pending: int

    @property
    def decided(self) -> int:
        return self.on_time + self.late

    @property
    def percent(self) -> float | None:
        return _percent(self.on_time, self.decided)


# A ticket's first response is decided when staff replied, or the ticket was done
# without a reply (which stops the clock too); the ticket carries the clock's due
# and breach times, so compliance is read from the tickets' covering index.
_MET_AT = Coalesce("first_responded_at", "resolved_at", "closed_at")
_ON_TIME = Q(
    first_response_breached_at__isnull=True,
    met_at__isnull=False,
    met_at__lte=F("first_response_due_at"),
)
_LATE = Q(first_response_breached_at__isnull=False) | Q(met_at__gt=F("first_response_due_at"))


def _first_response_clocks(filters: ReportFilters) -> QuerySet[SlaClock]:
    """First-response clocks that started in the period (each on its hub's calendar)."""
    return SlaClock.objects.filter(
        filters.tickets("ticket__"),
        _in_period("started_at", filters.period),
        target=SlaTarget.FIRST_RESPONSE,
    )


@dataclass
class SlaFigures:
    overall: Compliance
    by_hub: list[Compliance]
    trend: list[Compliance]


def sla_figures(filters: ReportFilters, lists: DeskLists) -> SlaFigures:
    """First responses on time, late and not yet due for the tickets created in the period,
    overall, per hub and per bucket: one grouped scan."""
    period = filters.period
    rows = (
        _created(filters)
        .annotate(met_at=_MET_AT, bucket=_bucket("created_at", period))
        .values("bucket", "hub_id")
        .annotate(
            on_time=Count("pk", filter=_ON_TIME),
            late=Count("pk", filter=_LATE),
            total=Count("pk"),
        )
        .order_by()
    )
    hub_names = _names(lists, "hubs")
    overall = [0, 0, 0]
    hubs: dict[str, list[int]] = {}
    buckets: dict[date, list[int]] = {}
    for row in rows:
        counts = (row["on_time"], row["late"], row["total"])
        for target in (
            overall,
            hubs.setdefault(hub_names.get(row["hub_id"], NOT_SET), [0, 0, 0]),
            buckets.setdefault(_local_day(row["bucket"]), [0, 0, 0]),
        ):
            for i, value in enumerate(counts):
                target[i] += value
    return SlaFigures(
        _compliance(_("All"), overall),
        [_compliance(name, hubs[name]) for name in sorted(hubs)],
        [_compliance(period.label(b), buckets.get(b, [0, 0, 0])) for b in period.buckets()],
    )


def _names(lists: DeskLists, kind: str) -> dict[int | None, str]:
    return {choice.id: choice.label for choice in getattr(lists, kind)}


def _compliance(label: str, counts: list[int]) -> Compliance:
    on_time, late, total = counts
    return Compliance(label, on_time, late, total - on_time - late)


def first_response_time(filters: ReportFilters) -> Spread:
    """Working hours from the clock's start to the first public reply, on the hub's calendar."""
    answered = (
        _first_response_clocks(filters)
        # Met by a reply: a clock stopped by resolving without one keeps no time left.
        .filter(met_at__isnull=False, remaining__isnull=False)
        .annotate(
            used=ExpressionWrapper(F("window") - F("remaining"), output_field=DurationField())
        )
    )
    return _spread(answered, "used")


# --- Escalation and reopening -----------------------------------------------------------------


def time_in_l2(filters: ReportFilters) -> Spread:
    """Calendar hours from escalation to L2 closing the issue, for issues closed in the period."""
    returned = EscalationLink.objects.filter(
        filters.tickets("ticket__"),
        _in_period("issue__state_changed_at", filters.period),
        issue__state=IssueState.CLOSED,
        issue__state_changed_at__gte=F("linked_at"),
    ).annotate(
        took=ExpressionWrapper(
            F("issue__state_changed_at") - F("linked_at"), output_field=DurationField()
        )
    )
    return _spread(returned, "took")


def reopen_rate(filters: ReportFilters) -> Rate:
    """Of the tickets resolved in the period, those reopened after that (up to now)."""
    finished = labels_of(Status.RESOLVED, Status.CLOSED)
    reopened_later = TicketEvent.objects.filter(
        ticket_id=OuterRef("ticket_id"),
        kind=EventKind.STATUS,
        old_value__in=finished,
        created_at__gt=OuterRef("created_at"),
    ).exclude(new_value__in=finished)
    counts = TicketEvent.objects.filter(
        filters.tickets("ticket__"),
        _in_period("created_at", filters.period),
        kind=EventKind.STATUS,
        new_value__in=labels_of(Status.RESOLVED),
    ).aggregate(
        resolved=Count("ticket", distinct=True),
        reopened=Count("ticket", distinct=True, filter=Q(Exists(reopened_later))),
    )
    return Rate(counts["reopened"], counts["resolved"])


# --- Self-help ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deflection:
    """What the knowledge base did for people about to write to us."""

    rows: list[tuple[str, int, int, int]]  # source label, shown, opened, answered without a ticket
    web_tickets: int  # Contact Us submissions in the same period

    @property
    def answered(self) -> int:
        return sum(row[3] for row in self.rows)

    @property
    def deflection_percent(self) -> float | None:
        """Of the people who came to write, the share who left with an answer instead."""
        return _percent(self.answered, self.answered + self.web_tickets)


def deflection(filters: ReportFilters) -> Deflection:
    """Suggestions and contacts answered by them, against Contact Us submissions.

    Self-help happens before anyone is a ticket with a hub or an agent: only the
    period and the product filter apply, to both sides of the comparison.
    """
    events = SuggestionEvent.objects.filter(_in_period("created_at", filters.period))
    submissions = Ticket.objects.filter(
        _in_period("created_at", filters.period), channel=Channel.WEB
    )
    if "product" in filters.values:
        events = events.filter(article__product_id=filters.values["product"])
        submissions = submissions.filter(product_id=filters.values["product"])
    counts = {
        (row["source"], row["kind"]): row["n"]
        for row in events.values("source", "kind").annotate(n=Count("pk")).order_by()
    }
    rows = [
        (
            str(source.label),
            counts.get((source.value, SuggestionKind.IMPRESSION), 0),
            counts.get((source.value, SuggestionKind.CLICK), 0),
            counts.get((source.value, SuggestionKind.ANSWERED), 0),
        )
        for source in SuggestionSource
    ]
    return Deflection(rows, submissions.count())


@dataclass(frozen=True)
class Helpfulness:
    title: str
    url: str
    helpful: int
    not_helpful: int

    @property
    def percent(self) -> float | None:
        return _percent(self.helpful, self.helpful + self.not_helpful)


def article_helpfulness(filters: ReportFilters) -> list[Helpfulness]:
    """The most voted articles in the period, with their share of "yes, this helped"."""
    votes = ArticleVote.objects.filter(_in_period("updated_at", filters.period))
    if "product" in filters.values:
        votes = votes.filter(article__product_id=filters.values["product"])
    rows = (
        votes.values("article_id", "article__title", "article__slug", "article__product__slug")
        .annotate(
            # Named apart from the vote's own "helpful" field, which the filters read.
            said_yes=Count("pk", filter=Q(helpful=True)),
            said_no=Count("pk", filter=Q(helpful=False)),
            total=Count("pk"),
        )
        .order_by("-total", "article__title")[:TOP]
    )
    return [
        Helpfulness(
            row["article__title"],
            f"/kb/{row['article__product__slug']}/{row['article__slug']}/",
            row["said_yes"],
            row["said_no"],
        )
        for row in rows
    ]


# --- Where tickets come from -------------------------------------------------------------------


def _shares(rows: Iterable[Any], key: str, total: int) -> list[Share]:
    return [Share(row[key] or NOT_SET, row["n"], _percent(row["n"], total)) for row in rows]


def top_issue_tags(filters: ReportFilters, total: int) -> list[Share]:
    rows = (
        Ticket.issue_tags.through.objects.filter(ticket__in=_created(filters).values("pk"))
        .values("issuetag__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "issuetag__name")[:TOP]
    )
    return _shares(rows, "issuetag__name", total)


def breached_tickets(filters: ReportFilters) -> list[SlaClock]:
    """Tickets whose first-response target was breached in the period, latest first."""
    return list(
        SlaClock.objects.filter(
            filters.tickets("ticket__"),
            _in_period("breached_at", filters.period),
            target=SlaTarget.FIRST_RESPONSE,
        )
        .select_related("ticket__hub", "ticket__impact", "ticket__partner", "ticket__assignee")
        .order_by("-breached_at", "-pk")[:BREACHED_LISTED]
    )


# --- The whole report -------------------------------------------------------------------------


@dataclass
class Report:
    filters: ReportFilters
    volume: list[VolumeRow] = field(default_factory=list)
    by_category: Breakdown | None = None
    by_impact: Breakdown | None = None
    sla: Compliance | None = None
    sla_hubs: list[Compliance] = field(default_factory=list)
    sla_trend: list[Compliance] = field(default_factory=list)
    first_response: Spread | None = None
    resolution: Spread | None = None
    escalation: Rate | None = None
    l2_time: Spread | None = None
    reopen: Rate | None = None
    deflection: Deflection | None = None
    articles: list[Helpfulness] = field(default_factory=list)
    partners: list[Share] = field(default_factory=list)
    hubs: list[Share] = field(default_factory=list)
    tags: list[Share] = field(default_factory=list)
    breached: list[SlaClock] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(row.created for row in self.volume)

    @property
    def resolved(self) -> int:
        return sum(row.resolved for row in self.volume)

    @property
    def backlog(self) -> int:
        return self.volume[-1].backlog if self.volume else 0


def build_report(filters: ReportFilters, lists: DeskLists) -> Report:
    """Every figure, in about a dozen queries whatever the number of tickets."""
    report = Report(filters)
    created = created_figures(filters, lists)
    report.by_category, report.by_impact = created.by_category, created.by_impact
    report.volume = volume_rows(
        filters.period, created.per_bucket, resolved_per_bucket(filters), open_at_end(filters)
    )
    where = where_figures(filters, lists)
    report.hubs, report.partners, report.escalation = where.hubs, where.partners, where.escalation
    sla = sla_figures(filters, lists)
    report.sla, report.sla_hubs, report.sla_trend = sla.overall, sla.by_hub, sla.trend
    report.first_response = first_response_time(filters)
    report.resolution = resolution_time(filters)
    report.l2_time = time_in_l2(filters)
    report.reopen = reopen_rate(filters)
    report.deflection = deflection(filters)
    report.articles = article_helpfulness(filters)
    report.tags = top_issue_tags(filters, where.total)
    report.breached = breached_tickets(filters)
    return report
