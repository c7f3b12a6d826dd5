"""The managers' report: one dashboard and a CSV export of each of its tables."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from desk.access import VIEW_REPORTS, desk_view
from reports import charts
from reports.breached_rows import breached_rows_html
from reports.figures import Report, build_report
from reports.filters import read_filters
from reports.tables import TABLES, table, to_csv

# Support managers only, through the desk's own door: a visitor logs in, a requester
# sees nothing (404), staff without the permission get the desk's 403.
manager_view = desk_view(VIEW_REPORTS)


@require_GET
@manager_view
def dashboard(request: HttpRequest) -> HttpResponse:
    form, filters = read_filters(request.GET, request.user)
    report = build_report(filters, form.lists)
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "filters": filters,
            "report": report,
            "charts": _charts(report),
            "tables": {slug: table(report, slug) for slug in TABLES},
            "breached_rows": breached_rows_html(report.breached),
            "query": filters.query_string(),
        },
    )


def _charts(report: Report) -> dict[str, Any]:
    labels = [row.label for row in report.volume]
    return {
        "volume": charts.line_chart(
            _("Created and resolved"),
            labels,
            [
                charts.Series(_("Created"), [row.created for row in report.volume]),
                charts.Series(_("Resolved"), [row.resolved for row in report.volume]),
                charts.Series(_("Open backlog"), [row.backlog for row in report.volume]),
            ],
        ),
        "by_category": charts.stacked_bars(
            _("Created by category"),
            report.by_category.labels,
            [charts.Series(name, values) for name, values in report.by_category.series],
        ),
        "by_impact": charts.stacked_bars(
            _("Created by impact"),
            report.by_impact.labels,
            [charts.Series(name, values) for name, values in report.by_impact.series],
        ),
        "sla_hubs": charts.horizontal_bars(
            _("First-response SLA compliance by hub"),
            [(c.label, c.percent) for c in report.sla_hubs],
            unit="%",
            top=100,
        ),
        "sla_trend": charts.line_chart(
            _("First-response SLA compliance over time"),
            [c.label for c in report.sla_trend],
            [charts.Series(_("Compliance"), [c.percent for c in report.sla_trend])],
            unit="%",
            top=100,
        ),
        "hubs": charts.horizontal_bars(
            _("Tickets per hub"), [(share.label, share.count) for share in report.hubs]
        ),
    }


@require_GET
@manager_view
def export(request: HttpRequest, slug: str) -> HttpResponse:
    if slug not in TABLES:
        raise Http404(_("There is no such table."))
    form, filters = read_filters(request.GET, request.user)
    data = table(build_report(filters, form.lists), slug)
    period = filters.period
    response = HttpResponse(
        to_csv([data.header, *data.rows]), content_type="text/csv; charset=utf-8"
    )
    name = f"{slug}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
