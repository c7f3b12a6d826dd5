"""What the delivery of a new GitHub issue reports back (the issue is written by
:func:`tickets.services.ticket_escalate`)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.escalation.notices import _system_note
from tickets.escalation.reads import _linked_tickets
from tickets.escalation.records import TITLE_MAX
from tickets.models import (
    EscalationIssue,
    IssueState,
    OutboxMessage,
    OutboxStatus,
)
from tickets.outbox_kinds import OutboxKind

# --------------------------------------------------------------------------- #
# Filing on GitHub (called by the delivery in integrations.github)             #
# --------------------------------------------------------------------------- #


def issue_sending(*, issue: EscalationIssue) -> bool:
    """Note that the issue is about to be sent; True if an earlier attempt may have filed it.

    Saved (committed) before the request, so an answer lost in transit is
    looked for on GitHub by the next attempt instead of filing a second issue.
    """
    if issue.create_attempted_at is not None:
        return True
    issue.create_attempted_at = timezone.now()
    issue.save(update_fields=["create_attempted_at", "updated_at"])
    return False


@transaction.atomic
def issue_filed(*, issue: EscalationIssue, number: int, url: str, title: str) -> EscalationIssue:
    """GitHub filed the issue: it is open, and the tickets following it say where."""
    issue = EscalationIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.number == number and issue.state != IssueState.FAILED:
        return issue
    issue.number, issue.url, issue.title = number, url, title[:TITLE_MAX]
    issue.state, issue.error = IssueState.OPEN, ""
    issue.last_synced_at = timezone.now()
    issue.save()
    for ticket in _linked_tickets(issue):
        _system_note(
            ticket, _("Filed on GitHub as %(issue)s: %(url)s") % {"issue": issue.label, "url": url}
        )
    return issue


def issue_problem(*, issue: EscalationIssue, error: str) -> None:
    """A delivery attempt failed and will be retried; the desk shows why it is still pending."""
    EscalationIssue.objects.filter(pk=issue.pk, state=IssueState.PENDING).update(
        error=error[:2000], updated_at=timezone.now()
    )


@transaction.atomic
def issue_failed(*, issue: EscalationIssue, error: str) -> None:
    """Filing or reading the issue failed for good: the tickets show "needs attention"."""
    issue = EscalationIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.state == IssueState.FAILED and issue.error == error:
        return
    issue.state, issue.error = IssueState.FAILED, error[:2000]
    issue.save(update_fields=["state", "error", "updated_at"])
    for ticket in _linked_tickets(issue):
        _system_note(
            ticket,
            _("Escalation pending — needs attention: %(error)s") % {"error": error[:2000]},
        )


def issues_whose_delivery_failed() -> int:
    """Pending issues whose outbox row gave up (e.g. its worker was lost): mark them failed."""
    stuck = {
        issue.pk: issue for issue in EscalationIssue.objects.filter(state=IssueState.PENDING)[:500]
    }
    if not stuck:
        return 0
    rows = OutboxMessage.objects.filter(
        kind__in=(OutboxKind.GITHUB_ISSUE, OutboxKind.GITHUB_ISSUE_SYNC),
        status=OutboxStatus.FAILED,
        payload__issue_id__in=list(stuck),
    ).only("last_error", "payload")
    marked = 0
    for row in rows:
        issue = stuck.pop(row.payload.get("issue_id"), None)
        if issue is not None:
            issue_failed(issue=issue, error=row.last_error or _("GitHub could not be reached."))
            marked += 1
    return marked
