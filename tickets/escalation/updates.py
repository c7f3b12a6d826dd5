"""Back from GitHub: L2's comments become notes; closing or reopening the issue moves its tickets.

A team comment (not an old one read when an issue was linked) and a close also
mark the ticket "L2 update — tell the partner" (:mod:`tickets.escalation.news`).

Called by ``integrations.github`` (webhook or periodic reconcile); both are safe
to call any number of times with the same news.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import services
from tickets.alerts import alert_team
from tickets.escalation.drafts import _draft_closed, _draft_reopened, _save_draft
from tickets.escalation.news import mark_news
from tickets.escalation.notices import _system_note, _tell_agent
from tickets.escalation.reads import _linked_tickets, find_issue
from tickets.escalation.records import TITLE_MAX, IssueUpdate, L2Comment
from tickets.models import (
    EscalationComment,
    EscalationIssue,
    EscalationLink,
    EscalationStatus,
    IssueState,
    L2NewsKind,
    Status,
    Ticket,
)


@transaction.atomic
def issue_apply_comment(comment: L2Comment) -> int:
    """An L2 comment becomes an internal note on every open ticket following the issue.

    The comment id is recorded in the same transaction, so a replayed webhook or
    the reconcile task seeing it again copies nothing. Returns the tickets noted.
    """
    issue = find_issue(comment.repository, comment.number)
    if issue is None:
        return 0
    try:
        with transaction.atomic():
            EscalationComment.objects.create(
                issue=issue,
                comment_id=comment.comment_id,
                author=comment.author[:100],
                url=comment.url[:500],
                commented_at=comment.commented_at,
            )
    except IntegrityError:
        return 0  # copied already
    # A comment older than the desk's knowledge of the issue is history (read when an
    # agent linked an issue L2 had long discussed): copied, but the channel is not
    # alerted once per old comment.
    # (GitHub's times are whole seconds.)
    known_since = issue.created_at.replace(microsecond=0)
    news = comment.commented_at is None or comment.commented_at >= known_since
    noted = 0
    for ticket in _linked_tickets(issue):
        if ticket.status == Status.CLOSED:
            continue
        header = _("L2 comment by @%(author)s on %(issue)s (%(url)s):") % {
            "author": comment.author,
            "issue": issue.label,
            "url": comment.url or issue.url,
        }
        _system_note(ticket, f"{header}\n\n{comment.body.strip()}")
        if news:
            mark_news(
                ticket,
                issue,
                kind=L2NewsKind.COMMENT,
                key=f"comment:{comment.comment_id}",
                summary=comment.body.strip(),
                headline=_("comment by @%(author)s on %(issue)s")
                % {"author": comment.author, "issue": issue.label},
                author=comment.author,
                url=comment.url,
                happened_at=comment.commented_at,
            )
            alert_team(
                ticket=ticket,
                event="l2_update",
                key=f"slack_alert:l2_update:{ticket.pk}:comment:{comment.comment_id}",
                detail=_("@%(author)s commented on %(issue)s.")
                % {"author": comment.author, "issue": issue.label},
            )
        noted += 1
    return noted


@transaction.atomic
def issue_apply_update(update: IssueUpdate) -> list[Ticket]:
    """Closing or reopening the issue moves every ticket following it; returns those moved.

    News older than the last state change already applied is ignored (webhooks
    may arrive out of order). Each ticket moves only if it is not there yet, so
    a repeat changes nothing.
    """
    issue = (
        EscalationIssue.objects.select_for_update()
        .filter(repository=update.repository.lower(), number=update.number)
        .first()
    )
    if issue is None:
        return []
    if (
        issue.state_changed_at
        and update.changed_at
        and update.changed_at < issue.state_changed_at
        and issue.state in (IssueState.OPEN, IssueState.CLOSED)
    ):
        return []  # stale: a later change is applied already
    state = IssueState.CLOSED if update.state == "closed" else IssueState.OPEN
    fields: dict[str, Any] = {"state": state, "error": "", "last_synced_at": timezone.now()}
    if update.title:
        fields["title"] = update.title[:TITLE_MAX]
    if update.url:
        fields["url"] = update.url[:500]
    fields["state_reason"] = (update.state_reason or "")[:30] if state == IssueState.CLOSED else ""
    # The newest news applied, even when it changes nothing here: a "reopened" that
    # arrives before the "closed" it follows must still make that close stale.
    if update.changed_at and (
        issue.state_changed_at is None or update.changed_at > issue.state_changed_at
    ):
        fields["state_changed_at"] = update.changed_at
    for name, value in fields.items():
        setattr(issue, name, value)
    issue.save()
    ticket_ids = list(
        EscalationLink.objects.filter(issue=issue).values_list("ticket_id", flat=True)
    )
    if state == IssueState.CLOSED:
        return hand_back(issue, ticket_ids, update)
    return _back_to_l2(issue, ticket_ids, update)


def _event_key(issue: EscalationIssue, update: IssueUpdate | None, state: str) -> str:
    # Without GitHub's time, this moment: the ticket's own state change (only a ticket
    # still with L2 is handed back) is what keeps news from being told twice.
    changed = update.changed_at if update and update.changed_at else timezone.now()
    return f"{issue.pk}:{state}:{changed.isoformat()}"


def hand_back(
    issue: EscalationIssue, ticket_ids: Sequence[int], update: IssueUpdate | None
) -> list[Ticket]:
    """L2 closed the issue: every ticket still with L2 goes back to L1 to inform the partner."""
    moved = []
    for ticket_id in ticket_ids:
        ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
        if ticket.escalation_status != EscalationStatus.ESCALATED:
            continue
        ticket = services.ticket_change_escalation_status(
            ticket=ticket, escalation_status=EscalationStatus.L2_RESOLVED, by=None
        )
        if ticket.status == Status.ESCALATED:
            ticket = services.ticket_change_status(ticket=ticket, status=Status.OPEN, by=None)
        reason = _closed_reason(issue.state_reason)
        actor = f" by @{update.actor}" if update and update.actor else ""
        _system_note(
            ticket,
            _(
                "L2 closed %(issue)s%(actor)s (%(reason)s). Back with L1: inform the partner; "
                "a draft update is in the reply box."
            )
            % {"issue": issue.label, "actor": actor, "reason": reason},
        )
        _save_draft(ticket, _draft_closed(ticket, issue.state_reason))
        key = _event_key(issue, update, "closed")
        mark_news(
            ticket,
            issue,
            kind=L2NewsKind.CLOSED,
            key=f"closed:{key}",
            summary=reason,
            headline=_("%(issue)s closed%(actor)s (%(reason)s)")
            % {"issue": issue.label, "actor": actor, "reason": reason},
            author=update.actor if update else "",
            url=issue.url,
            happened_at=update.changed_at if update else None,
        )
        _tell_agent(ticket, issue, "closed", reason, key)
        moved.append(ticket)
    return moved


def _back_to_l2(
    issue: EscalationIssue, ticket_ids: Sequence[int], update: IssueUpdate | None
) -> list[Ticket]:
    """L2 reopened the issue: tickets it had handed back are with L2 again."""
    moved = []
    for ticket_id in ticket_ids:
        ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
        if ticket.escalation_status != EscalationStatus.L2_RESOLVED:
            continue
        if ticket.can_move_to(Status.ESCALATED):
            ticket = services.ticket_mark_escalated(ticket=ticket, by=None)
        else:  # resolved meanwhile: the status is L1's call, the escalation follows L2
            ticket = services.ticket_change_escalation_status(
                ticket=ticket, escalation_status=EscalationStatus.ESCALATED, by=None
            )
        actor = f" by @{update.actor}" if update and update.actor else ""
        _system_note(
            ticket,
            _(
                "L2 reopened %(issue)s%(actor)s: the ticket is with L2 again. A draft update for "
                "the partner is in the reply box."
            )
            % {"issue": issue.label, "actor": actor},
        )
        _save_draft(ticket, _draft_reopened(ticket))
        _tell_agent(ticket, issue, "reopened", "", _event_key(issue, update, "reopened"))
        moved.append(ticket)
    return moved


def _closed_reason(state_reason: str) -> str:
    return {
        "completed": str(_("completed")),
        "not_planned": str(_("not planned")),
        "duplicate": str(_("duplicate")),
    }.get(state_reason or "", str(_("closed")))
