"""The whole report: every figure for one set of filters."""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.figures.common import (
    Breakdown,
    Rate,
    Share,
    Spread,
    VolumeRow,
)
from reports.figures.escalation import reopen_rate, time_in_l2
from reports.figures.selfhelp import Deflection, Helpfulness, article_helpfulness, deflection
from reports.figures.sla import Compliance, breached_tickets, first_response_time, sla_figures
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
