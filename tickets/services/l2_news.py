"""L2's news on a ticket ("L2 update — tell the partner"): marked, then passed on or dismissed.

:mod:`tickets.escalation.news` marks a ticket when L2 comments, changes a progress
label, links a pull request or closes the issue. The mark clears when a public
reply goes out (:func:`clear_l2_news`, called by the thread) or when an agent
dismisses it with a reason (:func:`ticket_dismiss_l2_news`); the history keeps
who, when and why.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import roles
from tickets.models import EscalationLink, EventKind, L2News, Ticket
from tickets.services.history import record_event
from tickets.services.locking import ticket_writable

REASON_MAX = 500
HISTORY_FIELD = "l2_news"


def clear_l2_news(ticket: Ticket, by: User | None, outcome: str) -> bool:
    """Clear the mark on a locked ticket, saying how in the history; False if there was none."""
    if ticket.l2_news_at is None:
        return False
    now = timezone.now()
    L2News.objects.filter(ticket=ticket, cleared_at__isnull=True).update(cleared_at=now)
    ticket.l2_news_at = None
    ticket.save(update_fields=["l2_news_at", "updated_at"])
    record_event(ticket, by, EventKind.FIELD, field=HISTORY_FIELD, new=outcome)
    return True


@transaction.atomic
def ticket_dismiss_l2_news(
    *, ticket: Ticket, by: User, reason: str, expected_version: int | None = None
) -> Ticket:
    """The agent has nothing to pass on (or told the partner another way): the mark goes.

    The reason is required and kept in the history with who and when. Needs the
    reply role: passing L2's news on to the partner is that role's job.
    """
    roles.require(by, roles.REPLY)
    reason = " ".join((reason or "").split())[:REASON_MAX]
    if not reason:
        raise ValidationError({"reason": _("Say why the partner need not be told.")})
    ticket = ticket_writable(ticket, expected_version, by=by)
    if ticket.l2_news_at is None:
        raise ValidationError(_("%(ref)s has no L2 news to dismiss.") % {"ref": ticket.reference})
    clear_l2_news(ticket, by, _("dismissed: %(reason)s") % {"reason": reason})
    # Nothing to pass on: the update L2's close left in the reply box goes too.
    EscalationLink.objects.filter(ticket=ticket).update(draft_reply="")
    return ticket
