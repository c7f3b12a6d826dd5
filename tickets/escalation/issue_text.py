"""What a filed GitHub issue says: title, Markdown body and labels, people and secrets redacted."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from catalog.models import Hub
from tickets.escalation import redaction
from tickets.escalation.records import BODY_MAX, SUPPORT_LABEL, TITLE_MAX
from tickets.models import Attachment, Requester, Ticket

ENVIRONMENT_LABELS = {
    "computer_browser": "Computer and browser",
    "phone_tablet": "Phone or tablet",
    "app_version": "App version",
    "connected_dashboard": "Connected dashboard",
}


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


def ticket_context(ticket: Ticket, *, include_contact: bool = False) -> redaction.Context:
    """What is private about ``ticket``: its requester, their organisation's contacts, its token.

    With ``include_contact`` the requester's own name and address may be published
    (the agent chose to); phones, other people and secrets never are.
    """
    people = [(ticket.requester.name, ticket.requester.email)]
    if ticket.partner_id is not None:
        people += list(
            Requester.objects.filter(partner_id=ticket.partner_id).values_list("name", "email")[
                :500
            ]
        )
    regions = [ticket.hub.holiday_country if ticket.hub else ""]
    regions += list(Hub.objects.filter(is_active=True).values_list("holiday_country", flat=True))
    allowed: frozenset[str] = frozenset()
    if include_contact:
        requester = ticket.requester
        allowed = frozenset(
            [redaction.fold(requester.email), *redaction.name_parts([requester.name])]
        )
    return redaction.Context(
        names=tuple(name for name, _email in people if name),
        emails=tuple(email for _name, email in people),
        tokens=(ticket.token,),
        site_url=settings.SITE_URL,
        regions=tuple(dict.fromkeys(r.upper() for r in regions if r)),
        allowed=allowed,
    )


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
    context = ticket_context(ticket, include_contact=include_contact)

    def redact(text: str) -> str:
        return redaction.redact(text, context)

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
