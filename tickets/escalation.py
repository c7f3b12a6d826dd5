"""Escalation to L2: filing or linking a GitHub issue, and what comes back from it.

L1 escalates a ticket it cannot solve (server changes, a code fix) with a
technical summary; the issue is written to the outbox as a ``github_issue`` row
in the same transaction, so the agent never waits on GitHub and a retry never
files it twice. Many partners hit the same bug, so a ticket may instead be
linked to an issue already filed; every linked ticket follows that issue.

What L2 does on the issue comes back (webhook or periodic reconcile, both in
``integrations.github``) through :func:`issue_apply_comment` and
:func:`issue_apply_update`: a comment becomes an internal note on every linked
ticket; closing the issue hands the tickets back to L1 ("L2 resolved — inform
the partner"), tells the assignee and drafts a customer-safe update for the
agent to review and send. Both are safe to call any number of times with the
same news.

``tickets`` never imports ``integrations``: this module writes outbox rows of the
kinds below and ``integrations.github`` registers their delivery.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import desk_actions, services
from tickets.alerts import alert_team
from tickets.models import (
    Attachment,
    EscalationComment,
    EscalationIssue,
    EscalationLink,
    EscalationStatus,
    EventKind,
    IssueState,
    Message,
    MessageKind,
    OutboxMessage,
    OutboxStatus,
    Product,
    Status,
    Ticket,
)
from tickets.models.taxonomy import GITHUB_REPOSITORY_RE
from tickets.notifications import EMAIL_KIND
from tickets.outbox import outbox_add

logger = logging.getLogger(__name__)

GITHUB_ISSUE_KIND = "github_issue"  # file a new issue for a ticket
GITHUB_ISSUE_SYNC_KIND = "github_issue_sync"  # read an issue a ticket was linked to
ESCALATE_PERMISSION = "tickets.escalate_ticket"
SUPPORT_LABEL = "support"
# GitHub's limits: a title of 256 characters, a body of 65,536.
TITLE_MAX = 256
BODY_MAX = 60_000

ENVIRONMENT_LABELS = {
    "computer_browser": "Computer and browser",
    "phone_tablet": "Phone or tablet",
    "app_version": "App version",
    "connected_dashboard": "Connected dashboard",
}
_ISSUE_URL_RE = re.compile(
    r"^https?://[^/\s]+/(?P<repo>[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+)/issues/(?P<number>\d+)"
    r"/?(?:[#?].*)?$"
)
_ISSUE_REF_RE = re.compile(
    r"^(?P<repo>[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+)?#?(?P<number>\d+)$"
)


# --------------------------------------------------------------------------- #
# Going to L2                                                                  #
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class IssueDraft:
    """What the GitHub issue will say, built from the ticket's structured report."""

    title: str
    body: str
    labels: list[str]


def ticket_desk_url(ticket: Ticket) -> str:
    return settings.SITE_URL + reverse("desk:ticket", kwargs={"ticket_id": ticket.pk})


def _fenced(text: str) -> str:
    """Text a requester typed, as a Markdown code block: no @mentions, links or HTML run.

    The fence is longer than any run of backticks inside, so the text cannot close it.
    """
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text.strip()}\n{fence}"


def _redactor(ticket: Ticket, include_contact: bool) -> Any:
    """Hides the requester's address and full name in text, unless the agent chose to keep them."""
    if include_contact:
        return lambda text: text
    patterns = [re.escape(ticket.requester.email)]
    name = " ".join(ticket.requester.name.split())
    if len(name) >= 3:
        patterns.append(r"\s+".join(re.escape(part) for part in name.split()))
    pattern = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    return lambda text: pattern.sub(str(_("[requester]")), text)


def issue_labels(ticket: Ticket) -> list[str]:
    labels = [SUPPORT_LABEL]
    if ticket.category is not None:
        labels.append(ticket.category.slug)
    if ticket.impact is not None:
        labels.append(f"impact:{ticket.impact.slug}")
    if ticket.hub is not None:
        labels.append(f"hub:{ticket.hub.slug}")
    return labels


def issue_draft(*, ticket: Ticket, summary: str, include_contact: bool) -> IssueDraft:
    """The issue for ``ticket``: title, Markdown body and labels.

    No requester name or address appears unless ``include_contact`` (the
    repository may be public); what the requester typed is quoted as code, so
    it cannot mention people or inject markup.
    """
    redact = _redactor(ticket, include_contact)
    title = redact(f"{ticket.reference}: {ticket.subject}")[:TITLE_MAX]
    facts = [
        ("Help desk ticket", f"[{ticket.reference}]({ticket_desk_url(ticket)})"),
        ("Product", ticket.product.name if ticket.product else "—"),
        ("Category", ticket.category.name if ticket.category else "—"),
        ("Impact", ticket.impact.name if ticket.impact else "—"),
        ("Hub", ticket.hub.name if ticket.hub else "—"),
        ("Reported", f"{ticket.received_at:%Y-%m-%d %H:%M} UTC"),
    ]
    parts = [
        "| | |\n|---|---|\n" + "\n".join(f"| {label} | {value} |" for label, value in facts),
        # The agent's words, not fenced (they may @mention L2), but an address or
        # name pasted from the request is hidden like anywhere else.
        "## Technical summary\n\n" + redact(summary.strip()),
        "## Report",
    ]
    report = [
        ("What they were doing", ticket.what_doing),
        ("What they expected", ticket.expected),
        ("What actually happened", ticket.actual),
        ("Steps to reproduce", ticket.steps),
        ("Description", ticket.description),
    ]
    written = [(label, text) for label, text in report if text.strip()]
    for label, text in written:
        parts.append(f"### {label}\n\n{_fenced(redact(text))}")
    if not written:
        parts.append("_The requester gave no structured report._")
    details = _details(ticket)
    if details:
        parts.append("## Product details\n\n" + _fenced(redact(details)))
    environment = "\n".join(
        f"{ENVIRONMENT_LABELS.get(key, key.replace('_', ' ').capitalize())}: {value}"
        for key, value in sorted(ticket.environment.items())
        if str(value).strip()
    )
    if environment:
        parts.append("## Environment\n\n" + _fenced(redact(environment)))
    attachments = _attachment_lines(ticket)
    if attachments:
        parts.append(
            "## Attachments\n\nOn the help desk ticket (not copied here):\n\n"
            + _fenced(redact(attachments))
        )
    if include_contact:
        requester = ticket.requester
        contact = f"{requester.name} <{requester.email}>" if requester.name else requester.email
        partner = ticket.partner.name if ticket.partner else ticket.organisation_name
        parts.append(
            "## Contact\n\n" + _fenced(contact + (f"\nPartner: {partner}" if partner else ""))
        )
    body = "\n\n".join(parts)
    if len(body) > BODY_MAX:
        body = body[:BODY_MAX] + "\n\n_(cut; the full report is on the help desk ticket)_"
    return IssueDraft(title=title, body=body, labels=issue_labels(ticket))


def _details(ticket: Ticket) -> str:
    labels = {}
    if ticket.product is not None:
        labels = {f["name"]: f["label"] for f in ticket.product.report_fields or []}
    return "\n".join(
        f"{labels.get(key, key)}: {value}"
        for key, value in sorted(ticket.product_details.items())
        if str(value).strip()
    )


def _attachment_lines(ticket: Ticket) -> str:
    files = Attachment.objects.filter(message__ticket=ticket).order_by("created_at", "id")
    return "\n".join(f"{a.original_name} ({a.content_type}, {a.size:,} bytes)" for a in files)


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


def _current_link(ticket: Ticket) -> EscalationLink | None:
    return EscalationLink.objects.select_related("issue").filter(ticket=ticket).first()


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
    link = _current_link(ticket)
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
    link = _current_link(ticket)
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


# --------------------------------------------------------------------------- #
# Back from GitHub                                                             #
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class IssueUpdate:
    """An issue as GitHub last described it (webhook or read back)."""

    repository: str
    number: int
    state: str  # "open" or "closed"
    title: str = ""
    url: str = ""
    state_reason: str = ""
    changed_at: datetime | None = None  # when it was closed or reopened
    actor: str = ""


@dataclass(frozen=True)
class L2Comment:
    repository: str
    number: int
    comment_id: int
    author: str
    body: str
    url: str = ""
    commented_at: datetime | None = None


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


def _system_note(ticket: Ticket, body: str) -> Message:
    """An internal note no staff member wrote (it came from GitHub); staff-only like any note."""
    message = Message.objects.create(ticket=ticket, kind=MessageKind.NOTE, body=body)
    # An update, not save(): the caller's instance may be older than the row, and
    # the version must still move on (an open desk form is then refused as stale).
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now(), version=F("version") + 1)
    return message


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
        return _hand_back(issue, ticket_ids, update)
    return _back_to_l2(issue, ticket_ids, update)


def _event_key(issue: EscalationIssue, update: IssueUpdate | None, state: str) -> str:
    # Without GitHub's time, this moment: the ticket's own state change (only a ticket
    # still with L2 is handed back) is what keeps news from being told twice.
    changed = update.changed_at if update and update.changed_at else timezone.now()
    return f"{issue.pk}:{state}:{changed.isoformat()}"


def _hand_back(
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
        _tell_agent(ticket, issue, "closed", reason, _event_key(issue, update, "closed"))
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


def _greeting(ticket: Ticket) -> str:
    first = ticket.requester.first_name
    return _("Hello %(name)s,") % {"name": first} if first else _("Hello,")


def _draft_closed(ticket: Ticket, state_reason: str) -> str:
    """A customer-safe update: no GitHub links, no L2 wording, for the agent to complete."""
    if state_reason == "not_planned":
        middle = _(
            "Our engineering team has finished looking into the problem you reported in "
            "%(ref)s (“%(subject)s”). [Explain what they found and any workaround.]"
        )
    else:
        middle = _(
            "Good news: our engineering team has fixed the problem you reported in %(ref)s "
            "(“%(subject)s”). [Say when the fix reaches you, or what to do now.] Could you try "
            "again and tell us whether it works for you?"
        )
    middle = middle % {"ref": ticket.reference, "subject": ticket.subject}
    return f"{_greeting(ticket)}\n\n{middle}\n\n{_('Best regards,')}\n{_('The support team')}"


def _draft_reopened(ticket: Ticket) -> str:
    middle = _(
        "Our engineering team is taking another look at the problem you reported in %(ref)s "
        "(“%(subject)s”). We will let you know as soon as we have news."
    ) % {"ref": ticket.reference, "subject": ticket.subject}
    return f"{_greeting(ticket)}\n\n{middle}\n\n{_('Best regards,')}\n{_('The support team')}"


def _save_draft(ticket: Ticket, text: str) -> None:
    EscalationLink.objects.filter(ticket=ticket).update(
        draft_reply=text, draft_created_at=timezone.now()
    )


def _tell_agent(ticket: Ticket, issue: EscalationIssue, what: str, reason: str, key: str) -> None:
    """Email the assignee (or, with nobody assigned, the team) and alert the team channel."""
    from tickets.sla import team_to_notify

    to = [ticket.assignee.email] if ticket.assignee and ticket.assignee.email else team_to_notify()
    if to:
        outbox_add(
            kind=EMAIL_KIND,
            key=f"email:l2_update:{ticket.pk}:{key}",
            ticket=ticket,
            payload={
                "template": "l2_update",
                "to": to,
                "ticket_id": ticket.pk,
                "message_id": None,
                "automatic": True,
                "context": {
                    "what": what,
                    "reason": reason,
                    "issue_label": issue.label,
                    "issue_url": issue.url,
                    "desk_url": ticket_desk_url(ticket),
                },
            },
        )
    else:
        logger.warning("No one to tell that L2 %s %s for %s", what, issue.label, ticket.reference)
    detail = (
        _("L2 closed %(issue)s (%(reason)s): inform the partner.")
        if what == "closed"
        else _("L2 reopened %(issue)s.")
    ) % {"issue": issue.label, "reason": reason}
    alert_team(
        ticket=ticket,
        event="l2_update",
        key=f"slack_alert:l2_update:{ticket.pk}:{key}",
        detail=detail,
    )


# --------------------------------------------------------------------------- #
# Reads for the desk and the reconcile task                                    #
# --------------------------------------------------------------------------- #


def ticket_escalation(ticket: Ticket) -> EscalationLink | None:
    """The ticket's link to its issue, with the issue (one query)."""
    return _current_link(ticket)


def draft_to_show(link: EscalationLink | None, messages: Iterable[Message]) -> str:
    """The draft update, unless a public reply went out since it was written."""
    if link is None or not link.draft_reply or link.draft_created_at is None:
        return ""
    for message in messages:
        if message.kind == MessageKind.REPLY and message.created_at >= link.draft_created_at:
            return ""
    return link.draft_reply


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
