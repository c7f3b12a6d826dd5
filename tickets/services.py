"""Every write to a ticket: one keyword-only, typed, atomic function per action.

Views, admin actions, management commands, tasks and webhooks all call these, so
the rules (history, workflow, notifications) hold whichever door a change comes
through.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import alerts, notifications, sla
from tickets.models import (
    Attachment,
    Category,
    Channel,
    EscalationStatus,
    EventKind,
    Hub,
    Impact,
    IssueTag,
    Message,
    MessageKind,
    Partner,
    Product,
    Requester,
    Status,
    Ticket,
    TicketEvent,
)
from tickets.workflow import check_escalation_transition, check_status_transition

# Fields a triager may change through ticket_change_fields, with their history label.
CHANGEABLE_FIELDS = (
    "subject",
    "partner",
    "hub",
    "product",
    "category",
    "impact",
    "product_details",
    "environment",
)
# How far in the future a "client first reached out at" time may lie (clock skew).
RECEIVED_AT_TOLERANCE = timedelta(minutes=5)


def _actor_label(by: User | None) -> str:
    if by is None:
        return str(_("System"))
    return by.get_full_name() or by.get_username()


def _display(value: Any) -> str:
    if value is None or value == "" or value == {}:
        return ""
    if isinstance(value, dict):
        # Sorted: PostgreSQL's jsonb keeps no key order, and history must read the same.
        return ", ".join(f"{k}: {v}" for k, v in sorted(value.items()))
    return str(value)


def _record(
    ticket: Ticket,
    by: User | None,
    kind: str,
    *,
    field: str = "",
    old: Any = None,
    new: Any = None,
    actor_label: str | None = None,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        actor=by,
        actor_label=actor_label if actor_label is not None else _actor_label(by),
        kind=kind,
        field=field,
        old_value=_display(old),
        new_value=_display(new),
    )


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


@transaction.atomic
def requester_get_or_create(
    *, email: str, name: str = "", partner: Partner | None = None
) -> Requester:
    """Find a requester by email (case-insensitive) or create one; fills in a missing name."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"requester_email": _("“%(email)s” is not a valid email address.") % {"email": email}}
        ) from None
    requester, created = Requester.objects.get_or_create(
        email=email, defaults={"name": name.strip()[:200], "partner": partner}
    )
    changed = []
    if not created and name.strip() and not requester.name:
        requester.name = name.strip()[:200]
        changed.append("name")
    if not created and partner and not requester.partner_id:
        requester.partner = partner
        changed.append("partner")
    if changed:
        requester.save(update_fields=changed)
    return requester


def compose_report(
    *, description: str, what_doing: str, expected: str, actual: str, steps: str
) -> str:
    """The first message's text: the free description and the guided parts, labelled."""
    parts = [description.strip()] if description.strip() else []
    for label, text in (
        (_("What I was doing"), what_doing),
        (_("What I expected"), expected),
        (_("What actually happened"), actual),
        (_("Steps to reproduce"), steps),
    ):
        if text.strip():
            parts.append(f"{label}:\n{text.strip()}")
    return "\n\n".join(parts)


@transaction.atomic
def ticket_create(
    *,
    requester_email: str,
    requester_name: str = "",
    subject: str,
    channel: str,
    description: str = "",
    what_doing: str = "",
    expected: str = "",
    actual: str = "",
    steps: str = "",
    product: Product | None = None,
    category: Category | None = None,
    impact: Impact | None = None,
    partner: Partner | None = None,
    hub: Hub | None = None,
    issue_tags: Iterable[IssueTag] = (),
    product_details: Mapping[str, str] | None = None,
    environment: Mapping[str, str] | None = None,
    received_at: datetime | None = None,
    by: User | None = None,
    attachments: Sequence[File] = (),
    notify_requester: bool = True,
    organisation_name: str = "",
    submission_key: str = "",
) -> Ticket:
    """Log a request from any channel: the ticket, its first message, history and the email.

    ``by`` is the agent who logged it on a client's behalf (None when the client
    wrote in themselves); ``received_at`` is when the client first reached out.
    ``organisation_name`` is what the requester wrote when it matched no partner.
    ``submission_key`` makes the call idempotent: a second call with the same key
    (a form sent twice, even at the same moment) returns the first ticket and
    changes nothing.
    """
    if submission_key:
        existing = Ticket.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    subject = " ".join((subject or "").split())
    if not subject:
        raise ValidationError({"subject": _("A ticket needs a subject.")})
    if channel not in Channel.values:
        raise ValidationError(
            {"channel": _("“%(channel)s” is not a channel.") % {"channel": channel}}
        )
    check_attachment_sizes(attachments)
    now = timezone.now()
    received_at = received_at or now
    if timezone.is_naive(received_at):
        raise ValidationError(
            {"received_at": _("The first contact time needs a time zone (an aware datetime).")}
        )
    if received_at > now + RECEIVED_AT_TOLERANCE:
        raise ValidationError({"received_at": _("The first contact cannot be in the future.")})

    requester = requester_get_or_create(email=requester_email, name=requester_name, partner=partner)
    partner = partner or requester.partner
    hub = hub or (partner.hub if partner else None)
    body = compose_report(
        description=description,
        what_doing=what_doing,
        expected=expected,
        actual=actual,
        steps=steps,
    )
    fields = dict(
        subject=subject[:200],
        description=description.strip(),
        what_doing=what_doing.strip(),
        expected=expected.strip(),
        actual=actual.strip(),
        steps=steps.strip(),
        product_details=dict(product_details or {}),
        environment=dict(environment or {}),
        channel=channel,
        requester=requester,
        partner=partner,
        hub=hub,
        product=product,
        category=category,
        impact=impact,
        received_at=received_at,
        created_by=by,
        created_at=now,
        organisation_name=" ".join(organisation_name.split())[:200],
        submission_key=submission_key[:64],
    )
    try:
        with transaction.atomic():
            ticket = Ticket.objects.create(**fields)
    except IntegrityError:
        # The same submission committed first (a double click racing this one).
        existing = Ticket.objects.filter(submission_key=submission_key).first()
        if submission_key and existing is not None:
            return existing
        raise
    tags = list(issue_tags)
    if tags:
        ticket.issue_tags.set(tags)
    _record(
        ticket,
        by,
        EventKind.CREATED,
        new=Channel(channel).label,
        actor_label=_actor_label(by) if by else str(requester),
    )
    message = Message.objects.create(
        ticket=ticket,
        kind=MessageKind.CUSTOMER,
        body=body,
        author_requester=requester,
        created_at=now,
    )
    sla.sla_start(ticket)
    attachments_store(message=message, uploads=attachments)
    if notify_requester:
        notifications.email_requester(
            ticket=ticket,
            template="ticket_created_on_behalf" if by else "ticket_created",
            key=f"email:ticket_created:{ticket.pk}",
            automatic=True,
        )
    alerts.alert_if_urgent(
        ticket=ticket, detail=_("New ticket (%(channel)s)") % {"channel": Channel(channel).label}
    )
    return ticket


def check_attachment_sizes(uploads: Sequence[File]) -> None:
    """Refuse the whole batch before anything is stored if one file is too large."""
    limit = settings.ATTACHMENT_MAX_BYTES
    too_large = [upload.name for upload in uploads if (upload.size or 0) > limit]
    if too_large:
        raise ValidationError(
            {
                "attachments": _("%(names)s: larger than the %(limit)s MB limit.")
                % {"names": ", ".join(str(n) for n in too_large), "limit": limit // (1024 * 1024)}
            }
        )


def attachments_store(*, message: Message, uploads: Sequence[File]) -> list[Attachment]:
    """Store a message's files; if one fails, the ones already written are removed."""
    stored: list[Attachment] = []
    try:
        for upload in uploads:
            stored.append(attachment_add(message=message, upload=upload))
    except Exception:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return stored


@transaction.atomic
def attachment_add(*, message: Message, upload: File) -> Attachment:
    """Store one file under a random name outside the code tree, with its checksum."""
    check_attachment_sizes([upload])
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        message=message,
        original_name=Attachment.safe_name(upload.name or ""),
        content_type=getattr(upload, "content_type", None) or "application/octet-stream",
        size=upload.size or 0,
        sha256=digest.hexdigest(),
    )
    attachment.file.save("upload", upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


@transaction.atomic
def ticket_change_fields(
    *, ticket: Ticket, by: User | None, changes: Mapping[str, Any], notify: bool = True
) -> Ticket:
    """Change triage and report fields; each real change is one history row.

    ``notify=False`` (demo data, imports) records the change without alerting the team.
    """
    unknown = set(changes) - set(CHANGEABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    ticket = _locked(ticket)
    changed: list[str] = []
    for field, new in changes.items():
        if field == "subject":
            new = " ".join((new or "").split())[:200]
            if not new:
                raise ValidationError({"subject": _("A ticket needs a subject.")})
        _check_related_value(field, new)
        old = getattr(ticket, field)
        if old == new:
            continue
        setattr(ticket, field, new)
        changed.append(field)
        _record(ticket, by, EventKind.FIELD, field=field, old=old, new=new)
    if changed:
        ticket.save(update_fields=[*changed, "updated_at"])
        if {"impact", "hub"} & set(changed):
            sla.sla_recompute(ticket, timezone.now(), reason=", ".join(sorted(changed)))
        if "impact" in changed and notify:
            # Triage that raises the impact to a watched level alerts as a new one would.
            alerts.alert_if_urgent(
                ticket=ticket, detail=_("Impact set to %(impact)s") % {"impact": ticket.impact}
            )
    return ticket


def _check_related_value(field: str, value: Any) -> None:
    """A related field takes a row of its model (or None), never an id or a name."""
    model_field = Ticket._meta.get_field(field)
    if not model_field.is_relation or value is None:
        return
    related = model_field.related_model
    if isinstance(related, type) and not isinstance(value, related):
        message = _("“%(value)s” is not a %(model)s.") % {
            "value": value,
            "model": related._meta.verbose_name,
        }
        raise ValidationError({field: message})


@transaction.atomic
def ticket_set_issue_tags(*, ticket: Ticket, tags: Iterable[IssueTag], by: User | None) -> Ticket:
    ticket = _locked(ticket)
    old = sorted(ticket.issue_tags.all(), key=lambda t: t.name)
    new = sorted(set(tags), key=lambda t: t.name)
    if [t.pk for t in old] == [t.pk for t in new]:
        return ticket
    ticket.issue_tags.set(new)
    ticket.save(update_fields=["updated_at"])
    _record(
        ticket,
        by,
        EventKind.TAGS,
        field="issue_tags",
        old=", ".join(t.name for t in old),
        new=", ".join(t.name for t in new),
    )
    return ticket


@transaction.atomic
def ticket_assign(*, ticket: Ticket, assignee: User | None, by: User | None) -> Ticket:
    """Give the ticket to an agent (or to nobody); idempotent."""
    if assignee is not None and not assignee.is_staff:
        raise ValidationError({"assignee": _("Tickets can only be assigned to staff.")})
    ticket = _locked(ticket)
    if ticket.assignee_id == (assignee.pk if assignee else None):
        return ticket
    old = ticket.assignee
    ticket.assignee = assignee
    ticket.save(update_fields=["assignee", "updated_at"])
    _record(
        ticket,
        by,
        EventKind.ASSIGNEE,
        field="assignee",
        old=_actor_label(old) if old else "",
        new=_actor_label(assignee) if assignee else "",
    )
    return ticket


def _apply_status(
    ticket: Ticket,
    status: str,
    by: User | None,
    actor_label: str | None = None,
    *,
    notify: bool = True,
) -> None:
    """Move a locked ticket to ``status`` (checked against the workflow) and record it."""
    check_status_transition(ticket.status, status)
    old = ticket.get_status_display()
    now = timezone.now()
    update = ["status", "updated_at"]
    if status == Status.RESOLVED:
        ticket.resolved_at = now
        update.append("resolved_at")
    elif status == Status.CLOSED:
        ticket.closed_at = now
        update.append("closed_at")
    elif ticket.resolved_at and status == Status.OPEN:
        ticket.resolved_at = None  # reopened: it is no longer resolved
        update.append("resolved_at")
    previous = ticket.status
    ticket.status = status
    ticket.save(update_fields=update)
    sla.sla_status_changed(ticket, previous, status, now)
    event = _record(
        ticket,
        by,
        EventKind.STATUS,
        field="status",
        old=old,
        new=Status(status).label,
        actor_label=actor_label,
    )
    if notify:
        notifications.email_status_change(
            ticket=ticket,
            previous=previous,
            status=status,
            key=f"email:status:{event.pk}",
            by_requester=by is None and actor_label is not None,
        )


@transaction.atomic
def ticket_change_status(
    *, ticket: Ticket, status: str, by: User | None, notify: bool = True
) -> Ticket:
    """Move the ticket along the workflow; a move the workflow forbids raises InvalidTransition.

    ``notify=False`` (demo data, imports) records the change without mailing the requester.
    """
    if status == Status.ESCALATED:
        # Escalating also opens the L2 issue and sets the escalation status: its own service.
        raise ValidationError(
            {"status": _("A ticket is escalated with “Escalate to L2”, not by setting its status.")}
        )
    ticket = _locked(ticket)
    if ticket.status == status:
        return ticket
    _apply_status(ticket, status, by, notify=notify)
    return ticket


@transaction.atomic
def ticket_mark_escalated(*, ticket: Ticket, by: User | None) -> Ticket:
    """Hand the ticket to L2: status and escalation status move together, both recorded.

    The GitHub issue that goes with it is added by the escalation work (issue 7).
    """
    ticket = _locked(ticket)
    check_status_transition(ticket.status, Status.ESCALATED)
    check_escalation_transition(ticket.escalation_status, EscalationStatus.ESCALATED)
    _apply_status(ticket, Status.ESCALATED, by)
    _apply_escalation_status(ticket, EscalationStatus.ESCALATED, by)
    return ticket


def _apply_escalation_status(ticket: Ticket, escalation_status: str, by: User | None) -> None:
    check_escalation_transition(ticket.escalation_status, escalation_status)
    old = ticket.get_escalation_status_display()
    ticket.escalation_status = escalation_status
    ticket.save(update_fields=["escalation_status", "updated_at"])
    _record(
        ticket,
        by,
        EventKind.ESCALATION,
        field="escalation_status",
        old=old,
        new=EscalationStatus(escalation_status).label,
    )


@transaction.atomic
def ticket_change_escalation_status(
    *, ticket: Ticket, escalation_status: str, by: User | None
) -> Ticket:
    ticket = _locked(ticket)
    if ticket.escalation_status == escalation_status:
        return ticket
    _apply_escalation_status(ticket, escalation_status, by)
    return ticket


@transaction.atomic
def ticket_add_message(
    *,
    ticket: Ticket,
    kind: str,
    body: str,
    by: User | None = None,
    requester: Requester | None = None,
    attachments: Sequence[File] = (),
    email_message_id: str = "",
    notify: bool = True,
) -> Message:
    """Add to the thread: a customer message, a public reply, an internal note or an event.

    A public reply is emailed to the requester and is the ticket's first response
    if none came before. A customer message brings a waiting or resolved ticket
    back to the team.
    """
    if kind not in MessageKind.values:
        raise ValidationError({"kind": _("“%(kind)s” is not a message kind.") % {"kind": kind}})
    body = (body or "").strip()
    if not body and not attachments:
        raise ValidationError({"body": _("Write a message or attach a file.")})
    check_attachment_sizes(attachments)
    if kind in (MessageKind.REPLY, MessageKind.NOTE) and (by is None or not by.is_staff):
        raise ValidationError(_("Only staff can reply or add internal notes."))
    ticket = _locked(ticket)
    if kind == MessageKind.CUSTOMER:
        requester = requester or ticket.requester
        if ticket.status == Status.CLOSED:
            raise ValidationError(
                _("%(ref)s is closed; a new message starts a follow-up ticket.")
                % {"ref": ticket.reference}
            )
    message = Message.objects.create(
        ticket=ticket,
        kind=kind,
        body=body,
        author_user=by if kind != MessageKind.CUSTOMER else None,
        author_requester=requester if kind == MessageKind.CUSTOMER else None,
        email_message_id=email_message_id[:255],
    )
    attachments_store(message=message, uploads=attachments)

    if kind == MessageKind.CUSTOMER:
        if ticket.status in (Status.WAITING, Status.RESOLVED):
            _apply_status(ticket, Status.OPEN, None, actor_label=str(requester), notify=notify)
        else:
            ticket.save(update_fields=["updated_at"])
    elif kind == MessageKind.REPLY:
        update = ["updated_at"]
        if ticket.first_responded_at is None:
            ticket.first_responded_at = message.created_at
            update.append("first_responded_at")
            sla.sla_first_response(ticket, message.created_at)
        ticket.save(update_fields=update)
        if ticket.status == Status.NEW:
            _apply_status(ticket, Status.OPEN, by)
        if notify:
            notifications.email_requester(
                ticket=ticket,
                template="public_reply",
                key=f"email:reply:{message.pk}",
                message=message,
                automatic=False,
            )
    else:
        ticket.save(update_fields=["updated_at"])
    return message


@transaction.atomic
def ticket_flag_urgent(*, ticket: Ticket, by: User, reason: str) -> Message:
    """An agent says the ticket needs the team now: a note with the reason, history, an alert.

    No field changes (urgency is the impact's job); the flag is the record of who
    raised it and why, and each flag alerts the team once.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why the ticket is urgent.")})
    note = ticket_add_message(
        ticket=ticket,
        kind=MessageKind.NOTE,
        body=_("Flagged urgent: %(reason)s") % {"reason": reason},
        by=by,
    )
    _record(ticket, by, EventKind.FIELD, field="urgent", new=reason[:500])
    alerts.alert_team(
        ticket=ticket,
        event="flagged_urgent",
        key=f"slack_alert:flagged_urgent:{ticket.pk}:{note.pk}",
        detail=_("Flagged urgent by %(agent)s: %(reason)s")
        % {"agent": _actor_label(by), "reason": reason},
    )
    return note


@transaction.atomic
def ticket_acknowledge(*, ticket: Ticket, by: User, via: str) -> bool:
    """An agent says they have seen an alert about the ticket; recorded once per agent.

    Returns False when this agent had already acknowledged it.
    """
    ticket = _locked(ticket)
    if TicketEvent.objects.filter(ticket=ticket, actor=by, field="acknowledged").exists():
        return False
    _record(ticket, by, EventKind.FIELD, field="acknowledged", new=via)
    ticket.save(update_fields=["updated_at"])
    return True


@transaction.atomic
def ticket_requester_mark_solved(*, ticket: Ticket, requester: Requester) -> Ticket:
    """The requester says their problem is solved: the ticket moves to resolved (idempotent).

    Goes through the workflow like any other status change and is recorded in
    the history under the requester's name.
    """
    ticket = _locked(ticket)
    _check_requester(ticket, requester)
    if ticket.status == Status.RESOLVED:
        return ticket
    if ticket.status == Status.CLOSED:
        raise ValidationError(
            _("%(ref)s is already closed.") % {"ref": ticket.reference}, code="closed"
        )
    _apply_status(ticket, Status.RESOLVED, None, actor_label=str(requester))
    return ticket


@transaction.atomic
def ticket_requester_reopen(*, ticket: Ticket, requester: Requester) -> Ticket:
    """The requester says the problem is back: a resolved ticket opens again (idempotent).

    A closed ticket stays closed (the workflow makes it final); the requester is
    told to start a follow-up request instead.
    """
    ticket = _locked(ticket)
    _check_requester(ticket, requester)
    if ticket.is_open:
        return ticket
    if ticket.status == Status.CLOSED:
        raise ValidationError(
            _("%(ref)s is closed; please send a new request that mentions it.")
            % {"ref": ticket.reference},
            code="closed",
        )
    _apply_status(ticket, Status.OPEN, None, actor_label=str(requester))
    return ticket


def _check_requester(ticket: Ticket, requester: Requester) -> None:
    if ticket.requester_id != requester.pk:
        raise ValidationError(_("Only the requester can do this."), code="not_requester")
