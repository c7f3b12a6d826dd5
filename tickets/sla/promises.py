"""What we promise requesters, read from the SLA policies and the ticket's clocks.

For the portal and requester emails: the time a ticket's next answer is due (its
running next-response round, else the first response still owed) and each
impact's targets as working time, so no page states a fixed "1 working day"
that the policies no longer say.
"""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tickets.models import OPEN_STATUSES, Status, Ticket
from tickets.models.sla import SlaPolicy
from tickets.sla.next_response import first_response_owed


def reply_due(ticket: Ticket) -> datetime | None:
    """When the requester may expect our next answer; None when we wait on them or are done."""
    if ticket.status not in OPEN_STATUSES or ticket.status == Status.WAITING:
        return None
    if ticket.customer_replied_at is not None and ticket.next_response_due_at is not None:
        return ticket.next_response_due_at
    if ticket.first_responded_at is None and first_response_owed(ticket):
        return ticket.first_response_due_at
    return None


def promised_targets() -> dict[str, Any]:
    """Annotations for an Impact queryset: its first and next response targets (working days).

    The impact's own policy, else the default one; in the impact query itself.
    """
    default = SlaPolicy.objects.filter(impact__isnull=True, urgent=False)
    return {
        "first_response_days": Coalesce(
            "sla_policy__first_response_days",
            Subquery(default.values("first_response_days")[:1]),
        ),
        "next_response_days": Coalesce(
            "sla_policy__next_response_days",
            Subquery(default.values("next_response_days")[:1]),
        ),
    }


def working_time_text(days: Decimal | float | None) -> str:
    """A target as people read it: "1 working day", "2 working hours" (on a default-length day)."""
    if days is None:
        return ""
    days = Decimal(str(days))
    if days >= 1:
        shown = days.normalize()
        count = int(shown) if shown == int(shown) else 2  # plural for fractions
        return ngettext("%(n)s working day", "%(n)s working days", count) % {"n": shown}
    starts = time.fromisoformat(settings.SLA_DEFAULT_WORK_STARTS)
    ends = time.fromisoformat(settings.SLA_DEFAULT_WORK_ENDS)
    day_hours = (ends.hour * 60 + ends.minute - starts.hour * 60 - starts.minute) / 60
    hours = Decimal(str(round(float(days) * day_hours, 1))).normalize()
    if hours == 1:
        return _("1 working hour")
    return _("%(n)s working hours") % {"n": hours}
