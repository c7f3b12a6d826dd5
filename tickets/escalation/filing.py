"""Going to L2 with a new GitHub issue: the outbox row, and what its delivery reports back."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import desk_actions, services
from tickets.escalation.issue_text import issue_draft
from tickets.escalation.linking import _check_may_escalate, _enter_escalation, _link
from tickets.escalation.notices import _system_note
from tickets.escalation.reads import _linked_tickets, ticket_escalation
from tickets.escalation.records import GITHUB_ISSUE_KIND, GITHUB_ISSUE_SYNC_KIND, TITLE_MAX
from tickets.models import (
    EscalationIssue,
    IssueState,
    MessageKind,
    OutboxMessage,
    OutboxStatus,
    Ticket,
)
from tickets.outbox import outbox_add


@transaction.atomic
def ticket_escalate(
    *,
    ticket: Ticket,
    by: User,
    technical_summary: str,
    include_contact: bool = False,
    expected_version: int | None = None,
) -> EscalationIssue:
    """Hand the ticket to L2 and file a GitHub issue in its product's repository.

    The issue is filed by the outbox after commit; the ticket shows it as
    pending until GitHub has answered.
    """
    _check_may_escalate(by)
    summary = (technical_summary or "").strip()
    if not summary:
        raise ValidationError(
            {"technical_summary": _("Write a technical summary for L2 before escalating.")}
        )
    ticket = desk_actions.ticket_locked_at_version(ticket=ticket, expected_version=expected_version)
    ticket = (
        Ticket.objects.select_related(
            "requester", "product", "category", "impact", "hub", "partner"
        ).get(pk=ticket.pk)
    )  # fmt: skip
    product = ticket.product
    if product is None or not product.github_repository:
        raise ValidationError(
            _(
                "%(product)s has no GitHub repository to file the issue in. An admin can set "
                "one on the product; or link this ticket to an existing issue."
            )
            % {"product": product.name if product else _("A ticket without a product")}
        )
    link = ticket_escalation(ticket)
    _enter_escalation(ticket, by, link)
    draft = issue_draft(ticket=ticket, summary=summary, include_contact=include_contact)
    issue = EscalationIssue.objects.create(
        repository=product.github_repository.lower(),
        title=draft.title,
        technical_summary=summary,
        include_contact=include_contact,
        filed_for=ticket,
        created_by=by,
    )
    _link(ticket, issue, by, link)
    services.ticket_add_message(
        ticket=ticket,
        kind=MessageKind.NOTE,
        body=_("Escalated to L2 (GitHub, %(repo)s). Technical summary:\n\n%(summary)s")
        % {"repo": issue.repository, "summary": summary},
        by=by,
    )
    outbox_add(
        kind=GITHUB_ISSUE_KIND,
        key=f"{GITHUB_ISSUE_KIND}:{issue.pk}",
        ticket=ticket,
        payload={
            "issue_id": issue.pk,
            "repository": issue.repository,
            "title": draft.title,
            "body": draft.body,
            "labels": draft.labels,
        },
    )
    return issue


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
        kind__in=(GITHUB_ISSUE_KIND, GITHUB_ISSUE_SYNC_KIND),
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
