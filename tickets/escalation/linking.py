"""Going to L2 by linking a ticket to an issue already filed, and the steps filing shares.

Who may escalate, moving the ticket to L2 and writing its link row are used by
:func:`tickets.escalation.filing.ticket_escalate` too.
"""

from __future__ import annotations

import re

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import desk_actions, services
from tickets.escalation.reads import ticket_escalation
from tickets.escalation.records import ESCALATE_PERMISSION, GITHUB_ISSUE_SYNC_KIND
from tickets.escalation.updates import _hand_back
from tickets.models import (
    EscalationIssue,
    EscalationLink,
    EscalationStatus,
    EventKind,
    IssueState,
    MessageKind,
    Ticket,
)
from tickets.models.taxonomy import GITHUB_REPOSITORY_RE
from tickets.outbox import outbox_add

_ISSUE_URL_RE = re.compile(
    r"^https?://[^/\s]+/(?P<repo>[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+)/issues/(?P<number>\d+)"
    r"/?(?:[#?].*)?$"
)
_ISSUE_REF_RE = re.compile(
    r"^(?P<repo>[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+)?#?(?P<number>\d+)$"
)


def _check_may_escalate(by: User) -> None:
    if not (by.is_active and by.is_staff and by.has_perm(ESCALATE_PERMISSION)):
        raise PermissionDenied(_("Your role cannot escalate tickets."))


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
    services.ticket_mark_escalated(ticket=ticket, by=by)


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
    services._record(
        ticket, by, EventKind.ESCALATION, field="github_issue", old=old, new=issue.label
    )


def parse_issue_reference(reference: str, default_repository: str = "") -> tuple[str, int]:
    """An issue as people paste it: its address, owner/name#12, or #12 in the product's repo."""
    text = (reference or "").strip()
    match = _ISSUE_URL_RE.match(text) or _ISSUE_REF_RE.match(text)
    if match is None:
        raise ValidationError(
            {
                "issue": _(
                    "Paste the issue's address (https://github.com/owner/name/issues/12), "
                    "or write owner/name#12, or #12 for the product's repository."
                )
            }
        )
    repository = match.group("repo") or default_repository
    if not repository:
        raise ValidationError(
            {"issue": _("This ticket's product has no repository: write owner/name#12.")}
        )
    if not GITHUB_REPOSITORY_RE.match(repository):
        raise ValidationError({"issue": _("“%(repo)s” is not owner/name.") % {"repo": repository}})
    number = int(match.group("number"))
    if not 0 < number < 2**31:
        raise ValidationError({"issue": _("There is no issue number %(n)s.") % {"n": number}})
    return repository.lower(), number


@transaction.atomic
def ticket_link_issue(
    *, ticket: Ticket, by: User, reference: str, expected_version: int | None = None
) -> EscalationIssue:
    """Hand the ticket to L2 by linking it to an issue already filed; it follows that issue.

    An issue the desk does not know yet is read from GitHub by the outbox (its
    title and state; a closed one hands the ticket straight back to L1).
    """
    _check_may_escalate(by)
    ticket = desk_actions.ticket_locked_at_version(ticket=ticket, expected_version=expected_version)
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
    services.ticket_add_message(
        ticket=ticket,
        kind=MessageKind.NOTE,
        body=_("Linked to the L2 issue %(issue)s.") % {"issue": issue.label},
        by=by,
    )
    if created or issue.needs_attention:
        outbox_add(
            kind=GITHUB_ISSUE_SYNC_KIND,
            key=f"{GITHUB_ISSUE_SYNC_KIND}:{issue.pk}:{ticket.pk}:{timezone.now().timestamp()}",
            ticket=ticket,
            payload={"issue_id": issue.pk},
        )
    elif issue.state == IssueState.CLOSED:
        # L2 closed it already: this ticket is back with L1 at once, like the others.
        _hand_back(issue, [ticket.pk], None)
    return issue
