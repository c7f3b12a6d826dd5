"""Going to L2: file a new GitHub issue for the ticket, or link it to one already filed.

Both write outbox rows in the same transaction (the agent never waits on GitHub,
a retry never files twice) and need the escalate role. What L2 does on the issue
comes back through :mod:`tickets.escalation`.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import roles
from tickets.escalation.issue_text import issue_draft
from tickets.escalation.linking import parse_issue_reference
from tickets.escalation.publishing import checked_text
from tickets.escalation.reads import ticket_escalation
from tickets.escalation.updates import hand_back
from tickets.models import (
    EscalationIssue,
    EscalationLink,
    EscalationStatus,
    EventKind,
    IssueState,
    MessageKind,
    Ticket,
)
from tickets.outbox import outbox_add
from tickets.outbox_kinds import OutboxKind
from tickets.services.history import record_event
from tickets.services.locking import ticket_writable
from tickets.services.status import mark_escalated
from tickets.services.thread import add_message


@transaction.atomic
def ticket_escalate(
    *,
    ticket: Ticket,
    by: User,
    technical_summary: str,
    include_contact: bool = False,
    title: str | None = None,
    body: str | None = None,
    publish_anyway: bool = False,
    expected_version: int | None = None,
) -> EscalationIssue:
    """Hand the ticket to L2 and file a GitHub issue in its product's repository.

    The issue is filed by the outbox after commit; the ticket shows it as
    pending until GitHub has answered. Without ``title`` and ``body`` the
    redacted draft is filed; with them (the agent's edited preview) exactly that
    text, once redaction finds nothing in it or the agent confirmed with
    ``publish_anyway`` (else :class:`~tickets.escalation.publishing.PersonalDataFound`).
    """
    roles.require(by, roles.ESCALATE)
    summary = (technical_summary or "").strip()
    if not summary:
        raise ValidationError(
            {"technical_summary": _("Write a technical summary for L2 before escalating.")}
        )
    ticket_writable(ticket, expected_version, by=by)
    # The row is locked; read it again with what the issue's text needs.
    ticket = (
        Ticket.objects.select_related(
            "requester", "product", "category", "impact", "hub", "partner"
        ).get(pk=ticket.pk)
    )  # fmt: skip
    repository = _repository(ticket)
    draft = issue_draft(ticket=ticket, summary=summary, include_contact=include_contact)
    if title is not None or body is not None:  # the agent's previewed, maybe edited, text
        draft = checked_text(
            ticket=ticket,
            draft=draft,
            title=title or "",
            body=body or "",
            include_contact=include_contact,
            publish_anyway=publish_anyway,
        )
    link = ticket_escalation(ticket)
    _enter_escalation(ticket, by, link)
    issue = EscalationIssue.objects.create(
        repository=repository,
        title=draft.title,
        technical_summary=summary,
        include_contact=include_contact,
        filed_for=ticket,
        created_by=by,
    )
    _link(ticket, issue, by, link)
    _note(
        ticket,
        by,
        _("Escalated to L2 (GitHub, %(repo)s). Technical summary:\n\n%(summary)s")
        % {"repo": issue.repository, "summary": summary},
    )
    outbox_add(
        kind=OutboxKind.GITHUB_ISSUE,
        key=f"{OutboxKind.GITHUB_ISSUE}:{issue.pk}",
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


def _repository(ticket: Ticket) -> str:
    """Where the ticket's issue is filed: its product's repository, or a refusal saying so."""
    product = ticket.product
    if product is None or not product.github_repository:
        raise ValidationError(
            _(
                "%(product)s has no GitHub repository to file the issue in. An admin can set "
                "one on the product; or link this ticket to an existing issue."
            )
            % {"product": product.name if product else _("A ticket without a product")}
        )
    return product.github_repository.lower()


@transaction.atomic
def ticket_link_issue(
    *, ticket: Ticket, by: User, reference: str, expected_version: int | None = None
) -> EscalationIssue:
    """Hand the ticket to L2 by linking it to an issue already filed; it follows that issue.

    An issue the desk does not know yet is read from GitHub by the outbox (its
    title and state; a closed one hands the ticket straight back to L1).
    """
    roles.require(by, roles.ESCALATE)
    ticket = ticket_writable(ticket, expected_version, by=by)
    default_repository = ticket.product.github_repository if ticket.product else ""
    repository, number = parse_issue_reference(reference, default_repository)
    link = ticket_escalation(ticket)
    same = link is not None and (link.issue.repository, link.issue.number) == (repository, number)
    if link is not None and same and not link.issue.needs_attention:
        return link.issue  # already following it
    # (Linking again to an issue that could not be read reads it again: the admin may
    # have fixed the token or the repository's access meanwhile.)
    _enter_escalation(ticket, by, link)
    issue, created = EscalationIssue.objects.get_or_create(
        repository=repository,
        number=number,
        defaults={"url": f"https://github.com/{repository}/issues/{number}", "created_by": by},
    )
    _link(ticket, issue, by, link)
    _note(ticket, by, _("Linked to the L2 issue %(issue)s.") % {"issue": issue.label})
    if created or issue.needs_attention:
        outbox_add(
            kind=OutboxKind.GITHUB_ISSUE_SYNC,
            key=f"{OutboxKind.GITHUB_ISSUE_SYNC}:{issue.pk}:{ticket.pk}:{timezone.now().timestamp()}",
            ticket=ticket,
            payload={"issue_id": issue.pk},
        )
    elif issue.state == IssueState.CLOSED:
        # L2 closed it already: this ticket is back with L1 at once, like the others.
        hand_back(issue, [ticket.pk], None)
    return issue


def _enter_escalation(ticket: Ticket, by: User, link: EscalationLink | None) -> None:
    """Move the (locked) ticket to L2, or keep it there when its issue needs replacing.

    A ticket already with L2 may get a new issue only if it has none (escalated
    before issues were filed) or its issue could not be filed or found.
    """
    if ticket.escalation_status == EscalationStatus.ESCALATED:
        if link is not None and not link.issue.needs_attention:
            raise ValidationError(
                _("%(ref)s is already with L2 on %(issue)s.")
                % {"ref": ticket.reference, "issue": link.issue.label}
            )
        return
    mark_escalated(ticket, by)


def _link(ticket: Ticket, issue: EscalationIssue, by: User, link: EscalationLink | None) -> None:
    old = link.issue.label if link is not None else ""
    EscalationLink.objects.update_or_create(
        ticket=ticket,
        defaults={
            "issue": issue,
            "linked_by": by,
            "linked_at": timezone.now(),
            "draft_reply": "",
            "draft_created_at": None,
        },
    )
    record_event(ticket, by, EventKind.ESCALATION, field="github_issue", old=old, new=issue.label)


def _note(ticket: Ticket, by: User, body: str) -> None:
    add_message(ticket, kind=MessageKind.NOTE, body=body, by=by)
