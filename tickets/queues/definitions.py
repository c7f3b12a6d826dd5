"""The desk's queues: what each one holds, its label, help text and default sort."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy

from tickets.models import OPEN_STATUSES, SlaClock, SlaTarget, Status, Ticket

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class QueueDef:
    slug: str
    label: StrOrPromise
    default_sort: str
    help: StrOrPromise

    def tickets(self, user: User, now: datetime) -> QuerySet[Ticket]:
        return _QUEUE_FILTERS[self.slug](user, now)


def sla_at_risk_condition(now: datetime) -> Q:
    """Open, not yet answered, and its first-response clock is warned or in its warning window."""
    clock_at_risk = SlaClock.objects.filter(
        ticket=OuterRef("pk"),
        target=SlaTarget.FIRST_RESPONSE,
        met_at__isnull=True,
        warn_at__lte=now,
    )
    return Q(
        Exists(clock_at_risk),
        status__in=OPEN_STATUSES,
        first_responded_at__isnull=True,
        first_response_due_at__isnull=False,
    )


def needs_reply_condition() -> Q:
    """Open, and the customer spoke last: their message came after our last public reply.

    ``customer_replied_at`` is set only after the first response and cleared by our
    next public reply; the partial index ``ticket_needs_reply_due`` holds exactly these.
    """
    return Q(customer_replied_at__isnull=False, status__in=OPEN_STATUSES)


_QUEUE_FILTERS = {
    "new": lambda user, now: Ticket.objects.filter(status=Status.NEW),
    "mine": lambda user, now: Ticket.objects.filter(assignee=user, status__in=OPEN_STATUSES),
    "unassigned": lambda user, now: Ticket.objects.filter(
        assignee__isnull=True, status__in=OPEN_STATUSES
    ),
    "waiting": lambda user, now: Ticket.objects.filter(status=Status.WAITING),
    "escalated": lambda user, now: Ticket.objects.filter(status=Status.ESCALATED),
    "needs_reply": lambda user, now: Ticket.objects.filter(needs_reply_condition()),
    "sla_risk": lambda user, now: Ticket.objects.filter(sla_at_risk_condition(now)),
    # A closed ticket takes no more replies; news it still carries is no work for the desk.
    "l2_news": lambda user, now: Ticket.objects.filter(l2_news_at__isnull=False).exclude(
        status=Status.CLOSED
    ),
    "resolved": lambda user, now: Ticket.objects.filter(status=Status.RESOLVED),
    "all": lambda user, now: Ticket.objects.all(),
}

QUEUES: dict[str, QueueDef] = {
    q.slug: q
    for q in (
        QueueDef("new", gettext_lazy("New — to triage"), "due",
                 gettext_lazy("Requests nobody has triaged yet, soonest due first.")),
        QueueDef("mine", gettext_lazy("Mine"), "due",
                 gettext_lazy("Open tickets assigned to you.")),
        QueueDef("unassigned", gettext_lazy("Unassigned"), "due",
                 gettext_lazy("Open tickets nobody holds.")),
        QueueDef("waiting", gettext_lazy("Waiting on customer"), "-updated",
                 gettext_lazy("We answered; the requester's move.")),
        QueueDef("escalated", gettext_lazy("Escalated to L2"), "-updated",
                 gettext_lazy("With engineering.")),
        QueueDef("needs_reply", gettext_lazy("Needs reply"), "reply_due",
                 gettext_lazy("The customer spoke last; next reply due soonest first.")),
        QueueDef("l2_news", gettext_lazy("L2 updates — tell the partner"), "l2_news",
                 gettext_lazy("L2 commented, changed a progress label, linked a fix or closed "
                              "the issue: pass it on to the partner, oldest news first.")),
        QueueDef("sla_risk", gettext_lazy("SLA at risk"), "due",
                 gettext_lazy("Not answered yet and warned or overdue, soonest due first.")),
        QueueDef("resolved", gettext_lazy("Resolved"), "-updated",
                 gettext_lazy("Closes by itself after the auto-close period without a reply.")),
        QueueDef("all", gettext_lazy("All"), "-created", gettext_lazy("Every ticket.")),
    )
}  # fmt: skip
DEFAULT_QUEUE = "new"
