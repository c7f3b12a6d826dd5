"""The tickets created in the period, counted once for every figure that groups them.

Created per bucket by category and impact, where tickets came from (hubs, partners,
escalations) and first-response compliance per hub and bucket all read the same
rows of the covering index ``ticket_created_report``. One grouped scan by bucket and
every dimension they need gives them all; the groups are bounded by the dimensions
(buckets x partners x categories x impacts), not by the number of tickets. Three
scans of the period's index entries (50,000 for 28 days at 1,000,000 tickets) become
one (bench/README.md, "Reports at a million tickets").
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from django.db.models import F, Q
from django.db.models.functions import Coalesce

from reports.figures.common import created_in_period, rows_counted, trunc_bucket
from reports.filters import ReportFilters
from tickets.models import EscalationStatus

# A ticket's first response is decided when staff replied, or the ticket was done
# without a reply (which stops the clock too); the ticket carries the clock's due
# and breach times, so compliance is read from the tickets' covering index.
MET_AT = Coalesce("first_responded_at", "resolved_at", "closed_at")
ON_TIME = Q(
    first_response_breached_at__isnull=True,
    met_at__isnull=False,
    met_at__lte=F("first_response_due_at"),
)
LATE = Q(first_response_breached_at__isnull=False) | Q(met_at__gt=F("first_response_due_at"))


class CreatedGroup(NamedTuple):
    """How many tickets of one bucket and one hub, partner, category and impact."""

    bucket: date
    hub_id: int | None
    partner_id: int | None
    category_id: int | None
    impact_id: int | None
    n: int
    escalated: int
    on_time: int  # first response
    late: int


def created_groups(filters: ReportFilters) -> list[CreatedGroup]:
    rows = (
        created_in_period(filters)
        .alias(met_at=MET_AT)
        .annotate(bucket=trunc_bucket("created_at", filters.period))
        .values_list("bucket", "hub_id", "partner_id", "category_id", "impact_id")
        .annotate(
            n=rows_counted(),
            escalated=rows_counted(~Q(escalation_status=EscalationStatus.NONE)),
            on_time=rows_counted(ON_TIME),
            late=rows_counted(LATE),
        )
        .order_by()
    )
    return [CreatedGroup._make(row) for row in rows]
