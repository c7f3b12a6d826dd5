"""L2's news marks the ticket "L2 update — tell the partner", once per piece of news.

A comment from the repository team, a progress label added or removed, a pull
request that says it fixes the issue, or the issue closed: each is an
:class:`~tickets.models.L2News` row under a key that names it for good, so the
same webhook delivered twice, or the reconcile task reading the same comment,
marks once and writes one history row. The ticket's ``l2_news_at`` (the oldest
news not yet passed on) is the marker the desk's queue filters on; a public
reply or a dismissal with a reason clears it (:mod:`tickets.services.l2_news`).
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.alerts import alert_team
from tickets.escalation.reads import _linked_tickets, find_issue
from tickets.escalation.records import IssueNews
from tickets.models import EscalationIssue, EventKind, L2News, L2NewsKind, Status, Ticket
from tickets.published_events import EventType, publish
from tickets.services.history import record_event
from tickets.services.l2_news import HISTORY_FIELD

SUMMARY_MAX = 20_000


def mark_news(
    ticket: Ticket,
    issue: EscalationIssue,
    *,
    kind: str,
    key: str,
    summary: str,
    headline: str,
    author: str = "",
    url: str = "",
    happened_at: datetime | None = None,
) -> bool:
    """Mark ``ticket`` with one piece of L2 news; False when it had this news already.

    Call inside a transaction. The marker keeps the oldest news not yet passed
    on, so the queue shows the ticket waiting longest first.
    """
    if ticket.status == Status.CLOSED:
        return False
    try:
        with transaction.atomic():
            L2News.objects.create(
                ticket=ticket,
                issue=issue,
                kind=kind,
                key=key[:200],
                summary=summary[:SUMMARY_MAX],
                author=author[:100],
                url=url[:500],
                happened_at=happened_at,
            )
    except IntegrityError:
        return False  # this news is on the ticket already
    now = timezone.now()
    # An update, not save(): the caller's instance may be older than the row.
    Ticket.objects.filter(pk=ticket.pk).update(
        l2_news_at=Coalesce(F("l2_news_at"), Value(now)),
        updated_at=now,
        version=F("version") + 1,
    )
    record_event(ticket, None, EventKind.FIELD, field=HISTORY_FIELD, new=headline[:500])
    publish(ticket, EventType.L2_UPDATE, {"kind": kind, "issue": issue.label, "url": url[:500]})
    return True


@transaction.atomic
def issue_apply_news(news: IssueNews) -> int:
    """A progress label or a linked pull request marks every open ticket following the issue.

    Returns the tickets newly marked (none when the news was applied before).
    """
    issue = find_issue(news.repository, news.number)
    if issue is None:
        return 0
    marked = 0
    for ticket in _linked_tickets(issue):
        headline = _("%(what)s on %(issue)s") % {"what": news.summary, "issue": issue.label}
        if mark_news(
            ticket,
            issue,
            kind=news.kind,
            key=news.key,
            summary=news.summary,
            headline=headline,
            author=news.author,
            url=news.url,
            happened_at=news.happened_at,
        ):
            alert_team(
                ticket=ticket,
                event="l2_update",
                key=f"slack_alert:l2_update:{ticket.pk}:{news.key}"[:200],
                detail=_("%(headline)s: tell the partner.") % {"headline": headline},
            )
            marked += 1
    return marked


def pending_news(ticket: Ticket) -> list[L2News]:
    """The news not yet passed on to the partner, oldest first."""
    if ticket.l2_news_at is None:
        return []
    pending = L2News.objects.filter(ticket=ticket, cleared_at__isnull=True)
    return list(pending.select_related("issue").order_by("pk"))


def news_kind_label(kind: str) -> str:
    return str(L2NewsKind(kind).label) if kind in L2NewsKind.values else kind
