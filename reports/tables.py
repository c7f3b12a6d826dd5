"""The report's tables: shown under each chart and exported as CSV, from one definition.

CSV cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) get a leading apostrophe, as OWASP
advises; numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.figures import Report

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PERIOD = gettext_lazy("Period")


@dataclass(frozen=True)
class Table:
    slug: str
    title: str
    header: list[str]
    rows: list[list[Any]]


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _volume(report: Report) -> Table:
    return Table(
        "volume",
        _("Created, resolved and open backlog"),
        [_("Period"), _("Created"), _("Resolved"), _("Open at the end")],
        [[row.label, row.created, row.resolved, row.backlog] for row in report.volume],
    )


def _breakdown(slug: str, title: Any, first: Any) -> Callable[[Report], Table]:
    def build(report: Report) -> Table:
        breakdown = getattr(report, slug)
        names = [name for name, _values in breakdown.series]
        return Table(slug, str(title), [str(first), *names], breakdown.rows())

    return build


def _sla_hubs(report: Report) -> Table:
    return Table(
        "sla_hubs",
        _("First-response SLA by hub"),
        [_("Hub"), _("On time"), _("Late"), _("Not yet due"), _("Compliance %")],
        [[c.label, c.on_time, c.late, c.pending, _percent(c.percent)] for c in report.sla_hubs],
    )


def _sla_trend(report: Report) -> Table:
    return Table(
        "sla_trend",
        _("First-response SLA over time (by creation date)"),
        [_("Period"), _("On time"), _("Late"), _("Not yet due"), _("Compliance %")],
        [[c.label, c.on_time, c.late, c.pending, _percent(c.percent)] for c in report.sla_trend],
    )


def _shares(slug: str, title: Any, first: Any) -> Callable[[Report], Table]:
    def build(report: Report) -> Table:
        return Table(
            slug,
            str(title),
            [str(first), _("Tickets"), _("% of created")],
            [[s.label, s.count, _percent(s.percent)] for s in getattr(report, slug)],
        )

    return build


def _deflection(report: Report) -> Table:
    return Table(
        "deflection",
        _("Knowledge-base suggestions"),
        [_("Where"), _("Shown"), _("Opened"), _("Answered, no ticket")],
        [list(row) for row in report.deflection.rows],
    )


def _articles(report: Report) -> Table:
    return Table(
        "articles",
        _("Article helpfulness"),
        [_("Article"), _("Helped"), _("Did not help"), _("Helped %")],
        [[a.title, a.helpful, a.not_helpful, _percent(a.percent)] for a in report.articles],
    )


def _breached(report: Report) -> Table:
    return Table(
        "breached",
        _("Tickets that breached the first-response target"),
        [_("Ticket"), _("Subject"), _("Hub"), _("Impact"), _("Assignee"), _("Due"), _("Breached")],
        [
            [
                clock.ticket.reference,
                clock.ticket.subject,
                clock.ticket.hub.name if clock.ticket.hub else "",
                clock.ticket.impact.name if clock.ticket.impact else "",
                clock.ticket.assignee.get_full_name() or clock.ticket.assignee.get_username()
                if clock.ticket.assignee
                else "",
                _local_iso(clock.due_at),
                _local_iso(clock.breached_at),
            ]
            for clock in report.breached
        ],
    )


def _local_iso(moment: datetime | None) -> str:
    """A moment in the reader's zone, with its UTC offset: sortable, and unambiguous in a sheet."""
    return timezone.localtime(moment).isoformat(timespec="minutes") if moment else ""


TABLES: dict[str, Callable[[Report], Table]] = {
    "volume": _volume,
    "by_category": _breakdown("by_category", gettext_lazy("Created by category"), PERIOD),
    "by_impact": _breakdown("by_impact", gettext_lazy("Created by impact"), PERIOD),
    "sla_hubs": _sla_hubs,
    "sla_trend": _sla_trend,
    "partners": _shares("partners", gettext_lazy("Tickets per partner"), gettext_lazy("Partner")),
    "hubs": _shares("hubs", gettext_lazy("Tickets per hub"), gettext_lazy("Hub")),
    "tags": _shares("tags", gettext_lazy("Top issue tags"), gettext_lazy("Issue tag")),
    "deflection": _deflection,
    "articles": _articles,
    "breached": _breached,
}


def table(report: Report, slug: str) -> Table:
    return TABLES[slug](report)


def safe_cell(value: Any) -> Any:
    """A cell as a spreadsheet will not run it: text that looks like a formula is quoted."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(rows: Iterable[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
