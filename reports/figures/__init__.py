"""Every figure of the managers' report, computed in the database with aggregates.

Each function runs a fixed number of queries whatever the number of tickets:
counts are grouped by bucket or by dimension in SQL, and a percentile is one
count and one ``ORDER BY … OFFSET`` row (nearest rank), which every database
supports. Working-hour figures come from the SLA clocks, which keep the
working time each target used on the hub's own calendar.
"""

from reports.figures.common import Breakdown, Rate, Share, Spread, VolumeRow
from reports.figures.report import Report, build_report
from reports.figures.selfhelp import Deflection, Helpfulness
from reports.figures.sla import Compliance

__all__ = [
    "Breakdown",
    "Compliance",
    "Deflection",
    "Helpfulness",
    "Rate",
    "Report",
    "Share",
    "Spread",
    "VolumeRow",
    "build_report",
]
