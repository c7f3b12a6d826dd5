"""Escalation to L2 and reopening."""

from __future__ import annotations

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
)

from reports.figures.common import (
    Rate,
    Spread,
    in_period,
    labels_of,
    spread_of,
)
from reports.filters import ReportFilters
from tickets.models import (
    EscalationLink,
    EventKind,
    IssueState,
    Status,
    TicketEvent,
)


def time_in_l2(filters: ReportFilters) -> Spread:
    """Calendar hours from escalation to L2 closing the issue, for issues closed in the period."""
    returned = EscalationLink.objects.filter(
        filters.tickets("ticket__"),
        in_period("issue__state_changed_at", filters.period),
        issue__state=IssueState.CLOSED,
        issue__state_changed_at__gte=F("linked_at"),
    ).annotate(
        took=ExpressionWrapper(
            F("issue__state_changed_at") - F("linked_at"), output_field=DurationField()
        )
    )
    return spread_of(returned, "took")


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
        in_period("created_at", filters.period),
        kind=EventKind.STATUS,
        new_value__in=labels_of(Status.RESOLVED),
    ).aggregate(
        resolved=Count("ticket", distinct=True),
        reopened=Count("ticket", distinct=True, filter=Q(Exists(reopened_later))),
    )
    return Rate(counts["reopened"], counts["resolved"])
