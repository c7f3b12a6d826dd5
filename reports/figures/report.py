"""The whole report: every figure for one set of filters."""

from __future__ import annotations

from functools import cached_property

from reports.figures.common import (
    Breakdown,
    Rate,
    Share,
    Spread,
    VolumeRow,
)
from reports.figures.created import CreatedGroup, created_groups
from reports.figures.escalation import reopen_rate, time_in_l2
from reports.figures.selfhelp import Deflection, Helpfulness, article_helpfulness, deflection
from reports.figures.sla import (
    Compliance,
    NextResponseCompliance,
    SlaFigures,
    breached_tickets,
    first_response_time,
    next_response_compliance,
    sla_figures,
)
from reports.figures.volume import (
    CreatedFigures,
    WhereFigures,
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


class Report:
    """Every figure for one set of filters, each computed when it is first read.

    The dashboard reads them all (about a dozen queries whatever the number of
    tickets); a CSV export reads one table, so it runs only that table's queries.
    Figures that come from one grouped scan share it.
    """

    def __init__(self, filters: ReportFilters, lists: DeskLists) -> None:
        self.filters = filters
        self.lists = lists

    @cached_property
    def _groups(self) -> list[CreatedGroup]:
        return created_groups(self.filters)

    @cached_property
    def _created(self) -> CreatedFigures:
        return created_figures(self.filters, self.lists, self._groups)

    @cached_property
    def _where(self) -> WhereFigures:
        return where_figures(self.lists, self._groups)

    @cached_property
    def _sla(self) -> SlaFigures:
        return sla_figures(self.filters, self.lists, self._groups)

    @cached_property
    def volume(self) -> list[VolumeRow]:
        filters = self.filters
        return volume_rows(
            filters.period,
            self._created.per_bucket,
            resolved_per_bucket(filters),
            open_at_end(filters),
        )

    @property
    def by_category(self) -> Breakdown:
        return self._created.by_category

    @property
    def by_impact(self) -> Breakdown:
        return self._created.by_impact

    @property
    def sla(self) -> Compliance:
        return self._sla.overall

    @property
    def sla_hubs(self) -> list[Compliance]:
        return self._sla.by_hub

    @property
    def sla_trend(self) -> list[Compliance]:
        return self._sla.trend

    @cached_property
    def first_response(self) -> Spread:
        return first_response_time(self.filters)

    @cached_property
    def next_response(self) -> NextResponseCompliance:
        return next_response_compliance(self.filters)

    @cached_property
    def resolution(self) -> Spread:
        return resolution_time(self.filters)

    @property
    def escalation(self) -> Rate:
        return self._where.escalation

    @cached_property
    def l2_time(self) -> Spread:
        return time_in_l2(self.filters)

    @cached_property
    def reopen(self) -> Rate:
        return reopen_rate(self.filters)

    @cached_property
    def deflection(self) -> Deflection:
        return deflection(self.filters)

    @cached_property
    def articles(self) -> list[Helpfulness]:
        return article_helpfulness(self.filters)

    @property
    def partners(self) -> list[Share]:
        return self._where.partners

    @property
    def hubs(self) -> list[Share]:
        return self._where.hubs

    @cached_property
    def tags(self) -> list[Share]:
        return top_issue_tags(self.filters, self._where.total)

    @cached_property
    def breached(self) -> list[SlaClock]:
        return breached_tickets(self.filters)

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
    """The report for these filters; its figures are computed as they are read."""
    return Report(filters, lists)
