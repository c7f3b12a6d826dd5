"""Reads for the desk and the reconcile task: a ticket's link, issues to read back, lookups."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, Q
from django.utils import timezone

from catalog.models import Product
from tickets.models import (
    EscalationIssue,
    EscalationLink,
    EscalationStatus,
    IssueState,
    Status,
    Ticket,
)


def repository_is_known(repository: str) -> bool:
    """Does any product file issues in it, or any ticket follow an issue there?"""
    repository = (repository or "").lower()
    if not repository:
        return False
    return (
        EscalationIssue.objects.filter(repository=repository).exists()
        or Product.objects.filter(github_repository__iexact=repository).exists()
    )


def find_issue(repository: str, number: int) -> EscalationIssue | None:
    return EscalationIssue.objects.filter(repository=repository.lower(), number=number).first()


def _linked_tickets(issue: EscalationIssue) -> list[Ticket]:
    return list(Ticket.objects.filter(escalation_link__issue=issue).order_by("pk"))


def ticket_escalation(ticket: Ticket) -> EscalationLink | None:
    """The ticket's link to its issue, with the issue (one query)."""
    return EscalationLink.objects.select_related("issue").filter(ticket=ticket).first()


def escalations_for(ticket_ids: Iterable[int]) -> dict[int, EscalationIssue]:
    """Each listed ticket's issue, for queue rows (one query)."""
    links = EscalationLink.objects.filter(ticket_id__in=list(ticket_ids)).select_related("issue")
    return {link.ticket_id: link.issue for link in links}


def issues_to_reconcile(limit: int) -> list[EscalationIssue]:
    """Filed issues that open tickets follow, least recently read first."""
    open_ticket = Q(links__ticket__status__in=[s for s in Status.values if s != Status.CLOSED])
    return list(
        EscalationIssue.objects.filter(open_ticket, number__isnull=False)
        .exclude(state=IssueState.FAILED)
        .distinct()
        .order_by(F("last_synced_at").asc(nulls_first=True), "pk")[:limit]  # never read first
    )


def issue_mark_synced(*, issue: EscalationIssue) -> None:
    EscalationIssue.objects.filter(pk=issue.pk).update(last_synced_at=timezone.now())


def may_go_to_l2(ticket: Ticket, link: EscalationLink | None) -> bool:
    """Can the desk offer Escalate / Link for this ticket (its role aside)?"""
    if ticket.escalation_status == EscalationStatus.ESCALATED:
        return link is None or link.issue.needs_attention
    return ticket.can_move_to(Status.ESCALATED)
