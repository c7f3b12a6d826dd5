"""The whole report: every figure for one set of filters."""

from __future__ import annotations

from dataclasses import dataclass

from reports.figures.common import (
    Breakdown,
    Rate,
    Share,
    Spread,
    VolumeRow,
)
from reports.figures.escalation import reopen_rate, time_in_l2
from reports.figures.selfhelp import Deflection, Helpfulness, article_helpfulness, deflection
from reports.figures.sla import (
    Compliance,
    NextResponseCompliance,
    breached_tickets,
    first_response_time,
    next_response_compliance,
    sla_figures,
)
from reports.figures.volume import (
    created_figures,
    open_at_end,
    resolution_time,
    resolved_per_bucket,
    top_issue_tags,
    volume_rows,
    where_figures,
)
from reports.filters import ReportFilters
from tickets.models import SlaClock
from tickets.queues import DeskLists


@dataclass(frozen=True)
class Report:
    filters: ReportFilters
    volume: list[VolumeRow]
    by_category: Breakdown
    by_impact: Breakdown
    sla: Compliance
    sla_hubs: list[Compliance]
    sla_trend: list[Compliance]
    first_response: Spread
    next_response: NextResponseCompliance
    resolution: Spread
    escalation: Rate
    l2_time: Spread
    reopen: Rate
    deflection: Deflection
    articles: list[Helpfulness]
    partners: list[Share]
    hubs: list[Share]
    tags: list[Share]
    breached: list[SlaClock]

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
    created = created_figures(filters, lists)
    where = where_figures(filters, lists)
    sla = sla_figures(filters, lists)
    return Report(
        filters=filters,
        volume=volume_rows(
            filters.period, created.per_bucket, resolved_per_bucket(filters), open_at_end(filters)
        ),
        by_category=created.by_category,
        by_impact=created.by_impact,
        sla=sla.overall,
        sla_hubs=sla.by_hub,
        sla_trend=sla.trend,
        first_response=first_response_time(filters),
        next_response=next_response_compliance(filters),
        resolution=resolution_time(filters),
        escalation=where.escalation,
        l2_time=time_in_l2(filters),
        reopen=reopen_rate(filters),
        deflection=deflection(filters),
        articles=article_helpfulness(filters),
        partners=where.partners,
        hubs=where.hubs,
        tags=top_issue_tags(filters, where.total),
        breached=breached_tickets(filters),
    )
