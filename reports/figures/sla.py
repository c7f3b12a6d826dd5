"""SLA: first-response compliance overall, per hub and over time; working hours; breaches;
next-response compliance beside it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)
from django.utils.translation import gettext as _

from reports.figures.common import (
    BREACHED_LISTED,
    NOT_SET,
    Spread,
    choice_names,
    in_period,
    percent_of,
    rows_counted,
    spread_of,
)
from reports.figures.created import CreatedGroup
from reports.filters import ReportFilters
from tickets.models import (
    SlaClock,
    SlaEvent,
    SlaEventKind,
    SlaTarget,
)
from tickets.queues import DeskLists


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
        return percent_of(self.on_time, self.decided)


def _first_response_clocks(filters: ReportFilters) -> QuerySet[SlaClock]:
    """First-response clocks that started in the period (each on its hub's calendar)."""
    return SlaClock.objects.filter(
        filters.tickets("ticket__"),
        in_period("started_at", filters.period),
        target=SlaTarget.FIRST_RESPONSE,
    )


@dataclass
class SlaFigures:
    overall: Compliance
    by_hub: list[Compliance]
    trend: list[Compliance]


def sla_figures(filters: ReportFilters, lists: DeskLists, groups: list[CreatedGroup]) -> SlaFigures:
    """First responses on time, late and not yet due for the tickets created in the period,
    overall, per hub and per bucket, from the period's groups."""
    period = filters.period
    hub_names = choice_names(lists, "hubs")
    overall = [0, 0, 0]
    hubs: dict[str, list[int]] = {}
    buckets: dict[date, list[int]] = {}
    for group in groups:
        counts = (group.on_time, group.late, group.n)
        for target in (
            overall,
            hubs.setdefault(hub_names.get(group.hub_id, NOT_SET), [0, 0, 0]),
            buckets.setdefault(group.bucket, [0, 0, 0]),
        ):
            for i, value in enumerate(counts):
                target[i] += value
    return SlaFigures(
        _compliance(_("All"), overall),
        [_compliance(name, hubs[name]) for name in sorted(hubs)],
        [_compliance(period.label(b), buckets.get(b, [0, 0, 0])) for b in period.buckets()],
    )


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
    return spread_of(answered, "used")


# What the list and its CSV show: whole ticket rows (and their users') are much wider.
BREACHED_COLUMNS = (
    "due_at",
    "breached_at",
    "ticket__subject",
    "ticket__hub__name",
    "ticket__impact__name",
    *(f"ticket__assignee__{name}" for name in ("first_name", "last_name", "username")),
)


def breached_tickets(filters: ReportFilters) -> list[SlaClock]:
    """Tickets whose first-response target was breached in the period, latest first."""
    return list(
        SlaClock.objects.filter(
            filters.tickets("ticket__"),
            in_period("breached_at", filters.period),
            target=SlaTarget.FIRST_RESPONSE,
        )
        .select_related("ticket__hub", "ticket__impact", "ticket__assignee")
        .only(*BREACHED_COLUMNS)
        .order_by("-breached_at", "-pk")[:BREACHED_LISTED]
    )


@dataclass(frozen=True)
class NextResponseCompliance:
    """Rounds of the conversation answered in the period: on time, late; breaches recorded."""

    on_time: int
    late: int
    breached: int

    @property
    def decided(self) -> int:
        return self.on_time + self.late

    @property
    def percent(self) -> float | None:
        return percent_of(self.on_time, self.decided)


def next_response_compliance(filters: ReportFilters) -> NextResponseCompliance:
    """Next replies met in the period (each round a customer waited), and breaches recorded in it.

    Read from the clocks' events, one grouped count: a ticket answered several
    times counts each round, which its one (reused) clock row could not tell.
    """
    counts = SlaEvent.objects.filter(
        filters.tickets("ticket__"),
        in_period("at", filters.period),
        target=SlaTarget.NEXT_RESPONSE,
        kind__in=(SlaEventKind.MET, SlaEventKind.BREACHED),
    ).aggregate(
        on_time=rows_counted(Q(kind=SlaEventKind.MET, note="on time")),
        late=rows_counted(Q(kind=SlaEventKind.MET, note="late")),
        breached=rows_counted(Q(kind=SlaEventKind.BREACHED)),
    )
    return NextResponseCompliance(counts["on_time"], counts["late"], counts["breached"])
