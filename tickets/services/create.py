"""A request arrives from any channel: the requester, the ticket, its first message."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Category, Hub, Impact, IssueTag, Partner, Product
from tickets import alerts, notifications, roles, sla
from tickets.models import Channel, EventKind, Message, MessageKind, Requester, Ticket
from tickets.models.sla import SlaClock
from tickets.published_events import EventType, publish
from tickets.services.attachments import attachments_store
from tickets.services.history import actor_label, record_event
from tickets.services.languages import supported_language
from tickets.uploads import validate_uploads

# How far in the future a "client first reached out at" time may lie (clock skew).
RECEIVED_AT_TOLERANCE = timedelta(minutes=5)


def requester_get_or_create(
    *, email: str, name: str = "", partner: Partner | None = None, language: str = ""
) -> Requester:
    """Find a requester by email (case-insensitive) or create one; fills in a missing name.

    ``language`` is the one they wrote in, when known: it becomes theirs (see
    :mod:`tickets.services.languages`), in the same write as the row.
    """
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"requester_email": _("“%(email)s” is not a valid email address.") % {"email": email}}
        ) from None
    # No savepoint of its own inside a caller's transaction: nothing below is caught and
    # retried (get_or_create keeps its own for the insert race).
    with transaction.atomic(savepoint=False):
        return _requester_row(email, name, partner, supported_language(language))


def _requester_row(email: str, name: str, partner: Partner | None, language: str) -> Requester:
    requester, created = Requester.objects.get_or_create(
        email=email, defaults={"name": name.strip()[:200], "partner": partner, "language": language}
    )
    changed = []
    if not created and language and requester.language != language:
        requester.language = language
        changed.append("language")
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


def _checked_request(
    subject: str, channel: str, received_at: datetime | None
) -> tuple[str, datetime]:
    """The subject on one line and when the client reached out, or a field error."""
    subject = " ".join((subject or "").split())
    if not subject:
        raise ValidationError({"subject": _("A ticket needs a subject.")})
    if channel not in Channel.values:
        raise ValidationError(
            {"channel": _("“%(channel)s” is not a channel.") % {"channel": channel}}
        )
    now = timezone.now()
    received_at = received_at or now
    if timezone.is_naive(received_at):
        raise ValidationError(
            {"received_at": _("The first contact time needs a time zone (an aware datetime).")}
        )
    if received_at > now + RECEIVED_AT_TOLERANCE:
        raise ValidationError({"received_at": _("The first contact cannot be in the future.")})
    return subject, received_at


def _first_submission_wins[**P](create: Callable[P, Ticket]) -> Callable[P, Ticket]:
    """Run as its own transaction, a resend that committed first fails the insert: the whole
    attempt rolls back and the first ticket is returned (no savepoint needed, see
    :func:`_insert_once`)."""

    @functools.wraps(create)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Ticket:
        key = str(kwargs.get("submission_key") or "")[:64]
        own_transaction = not transaction.get_connection().in_atomic_block
        try:
            return create(*args, **kwargs)
        except IntegrityError:
            first = Ticket.objects.filter(submission_key=key).first() if key else None
            if first is None or not own_transaction:
                raise
            return first

    return wrapper


def _insert_once(ticket: Ticket, submission_key: str) -> tuple[Ticket, bool]:
    """The ticket row, and whether it is new: a submission that committed first wins."""
    if not submission_key or not transaction.get_connection().savepoint_ids:
        # No key, or ticket_create is the transaction: a clash rolls it all back and
        # _first_submission_wins returns the first ticket.
        ticket.save(force_insert=True)
        return ticket, True
    try:
        with transaction.atomic():
            ticket.save(force_insert=True)
            return ticket, True
    except IntegrityError:
        existing = Ticket.objects.filter(submission_key=submission_key).first()
        if submission_key and existing is not None:
            return existing, False  # the same submission (a double click) committed first
        raise


@_first_submission_wins
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
    requester_language: str = "",
) -> Ticket:
    """Log a request from any channel: the ticket, its first message, history and the email.

    ``by`` is the agent who logged it on a client's behalf (None when the client
    wrote in themselves); ``received_at`` is when the client first reached out.
    ``organisation_name`` is what the requester wrote when it matched no partner.
    ``requester_language`` is the language they wrote in (the page's, their mail's):
    every mail to them is then written in it.
    ``submission_key`` makes the call idempotent: a second call with the same key
    (a form sent twice, even at the same moment) returns the first ticket and
    changes nothing.
    """
    if by is not None:
        roles.require(by, roles.LOG_TICKET)
    # A submission key already used is found when the row is written (_insert_once):
    # no look-up first, the callers that can tell a resend made theirs already.
    subject, received_at = _checked_request(subject, channel, received_at)
    validate_uploads(attachments, max_count="any")  # the channel limits the count
    requester = requester_get_or_create(
        email=requester_email, name=requester_name, partner=partner, language=requester_language
    )
    partner = partner or requester.partner
    report = {
        "description": description,
        "what_doing": what_doing,
        "expected": expected,
        "actual": actual,
        "steps": steps,
    }
    now = timezone.now()
    ticket = Ticket(
        subject=subject[:200],
        **{name: text.strip() for name, text in report.items()},
        product_details=dict(product_details or {}),
        environment=dict(environment or {}),
        channel=channel,
        requester=requester,
        partner=partner,
        hub=hub or (partner.hub if partner else None),
        product=product,
        category=category,
        impact=impact,
        received_at=received_at,
        created_by=by,
        created_at=now,
        organisation_name=" ".join(organisation_name.split())[:200],
        submission_key=submission_key[:64],
    )
    # The clocks are planned first, so the row is written with its due time once.
    plan = sla.sla_plan(ticket)
    ticket.first_response_due_at = plan[0].due_at
    ticket, created = _insert_once(ticket, submission_key)
    if not created:
        return ticket
    _open_thread(ticket, by, list(issue_tags), compose_report(**report), attachments, plan)
    if notify_requester:
        notifications.email_requester(
            ticket=ticket,
            template="ticket_created_on_behalf" if by else "ticket_created",
            key=f"email:ticket_created:{ticket.pk}",
            automatic=True,
            new_key=True,  # it names the row just written: no earlier row can have it
        )
    alerts.alert_if_urgent(
        ticket=ticket, detail=_("New ticket (%(channel)s)") % {"channel": Channel(channel).label}
    )
    publish(ticket, EventType.TICKET_CREATED)
    return ticket


def _open_thread(
    ticket: Ticket,
    by: User | None,
    tags: list[IssueTag],
    body: str,
    uploads: Sequence[File],
    plan: list[SlaClock],
) -> None:
    """Tags, the 'created' history row, the first message with its files, the SLA clocks."""
    if tags:
        ticket.issue_tags.set(tags)
    record_event(
        ticket,
        by,
        EventKind.CREATED,
        new=Channel(ticket.channel).label,
        label=actor_label(by) if by else str(ticket.requester),
    )
    message = Message.objects.create(
        ticket=ticket,
        kind=MessageKind.CUSTOMER,
        body=body,
        author_requester=ticket.requester,
        created_at=ticket.created_at,
    )
    sla.sla_start(ticket, plan)
    attachments_store(message=message, uploads=uploads)
