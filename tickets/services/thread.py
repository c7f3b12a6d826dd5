"""The conversation: customer messages, public replies, internal notes, canned responses.

A public reply is emailed to the requester and is the ticket's first response if
none came before; a customer message brings a waiting or resolved ticket back to
the team, which hears of it (``conversation``). Public replies need the reply
role, notes the note role (L2 too).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from tickets import notifications, roles, sla
from tickets.models import (
    CannedResponse,
    EventKind,
    Message,
    MessageKind,
    Requester,
    Status,
    Ticket,
)
from tickets.models.desk import PLACEHOLDER_RE
from tickets.published_events import EventType, publish
from tickets.services import conversation, history
from tickets.services.attachments import attachments_store
from tickets.services.l2_news import clear_l2_news
from tickets.services.locking import ticket_writable
from tickets.services.status import apply_status, reopen_status
from tickets.services.triage import change_fields
from tickets.uploads import validate_uploads

# The status a public reply leaves the ticket in unless the agent chooses another.
REPLY_THEN_STATUSES = (Status.WAITING, Status.OPEN, Status.RESOLVED)
_ROLE_FOR_KIND: dict[str, str] = {MessageKind.REPLY: roles.REPLY, MessageKind.NOTE: roles.NOTE}


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
    """Add to the thread: a customer message, a public reply, an internal note or an event."""
    _check_message(kind, body, by, attachments)
    return add_message(
        ticket_writable(ticket, by=by),
        kind=kind,
        body=body,
        by=by,
        requester=requester,
        attachments=attachments,
        email_message_id=email_message_id,
        notify=notify,
    )


def _check_message(kind: str, body: str, by: User | None, attachments: Sequence[File]) -> None:
    if kind not in MessageKind.values:
        raise ValidationError({"kind": _("“%(kind)s” is not a message kind.") % {"kind": kind}})
    if kind in _ROLE_FOR_KIND:
        if by is None or not by.is_staff:
            raise ValidationError(_("Only staff can reply or add internal notes."))
        roles.require(by, _ROLE_FOR_KIND[kind])
    if not (body or "").strip() and not attachments:
        raise ValidationError({"body": _("Write a message or attach a file.")})
    validate_uploads(attachments, max_count="any")  # the channel limits the count


def add_message(
    ticket: Ticket,
    *,
    kind: str,
    body: str,
    by: User | None,
    requester: Requester | None = None,
    attachments: Sequence[File] = (),
    email_message_id: str = "",
    notify: bool = True,
) -> Message:
    """The message on a locked ticket, and what it does to the ticket (see the module)."""
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
        body=(body or "").strip(),
        author_user=by if kind != MessageKind.CUSTOMER else None,
        author_requester=requester if kind == MessageKind.CUSTOMER else None,
        email_message_id=email_message_id[:255],
    )
    attachments_store(message=message, uploads=attachments)
    if history.acting_through():
        # The message names its author only: the history says what it came through.
        label = str(requester) if kind == MessageKind.CUSTOMER else None
        history.record_event(
            ticket, by, EventKind.MESSAGE, new=MessageKind(kind).label, label=label
        )
    if kind == MessageKind.CUSTOMER and ticket.status in (Status.WAITING, Status.RESOLVED):
        reopening = ticket.status == Status.RESOLVED
        back_to = reopen_status(ticket) if reopening else Status.OPEN
        apply_status(
            ticket, back_to, None, label=str(requester), notify=notify, reopening=reopening
        )
    elif kind == MessageKind.REPLY:
        # The partner has been answered: L2's news, if any, has been passed on.
        clear_l2_news(ticket, by, _("passed on to the partner (public reply)"))
        _first_response(ticket, message, by, notify=notify)
        publish(ticket, EventType.PUBLIC_REPLY, {"message_id": message.pk})
    else:
        ticket.save(update_fields=["updated_at"])
    if kind == MessageKind.CUSTOMER:
        conversation.customer_replied(ticket, message, notify=notify)
    return message


def _first_response(ticket: Ticket, message: Message, by: User | None, *, notify: bool) -> None:
    """A public reply: the first response's clock, a new ticket opened, the email sent."""
    update = ["updated_at", *conversation.public_reply_sent(ticket, message)]
    if ticket.first_responded_at is None:
        ticket.first_responded_at = message.created_at
        update.append("first_responded_at")
        sla.sla_first_response(ticket, message.created_at)
    ticket.save(update_fields=update)
    if ticket.status == Status.NEW:
        apply_status(ticket, Status.OPEN, by)
    if notify:
        notifications.email_requester(
            ticket=ticket,
            template="public_reply",
            key=f"email:reply:{message.pk}",
            message=message,
            automatic=False,
        )


def canned_render(canned: CannedResponse, *, ticket: Ticket, agent: User) -> str:
    """The canned text with its placeholders filled in from a fixed set of plain values.

    No template engine and no attribute lookups: a placeholder is replaced only
    if it is one of the names below; anything else stays as written.
    """
    requester = ticket.requester
    values = {
        "requester.first_name": requester.first_name or requester.email,
        "requester.name": requester.name or requester.email,
        "requester.email": requester.email,
        "ticket.reference": ticket.reference,
        "ticket.subject": ticket.subject,
        "ticket.product": ticket.product.name if ticket.product_id and ticket.product else "",
        "agent.first_name": agent.first_name or agent.get_username(),
        "agent.name": agent.get_full_name() or agent.get_username(),
    }
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), canned.body)


@transaction.atomic
def ticket_reply(
    *,
    ticket: Ticket,
    by: User,
    kind: str,
    body: str,
    expected_version: int | None = None,
    attachments: Sequence[File] = (),
    then_status: str = "",
    canned: CannedResponse | None = None,
) -> Message:
    """A public reply (emailed to the requester) or an internal note, from the workspace.

    A public reply leaves the ticket waiting on the customer unless ``then_status``
    says open or resolved ("Send and resolve"); a canned response's status, category
    and impact apply with it (its field changes need the triage role). A note
    changes nothing but the thread. One transaction: all of it happens or none.
    """
    if kind not in _ROLE_FOR_KIND:
        raise ValidationError({"kind": _("Choose a public reply or an internal note.")})
    _check_message(kind, body, by, attachments)
    if canned is not None and canned.owner_id not in (None, by.pk):
        # A colleague's personal response is theirs alone.
        raise ValidationError(_("That canned response does not exist any more."))
    field_changes = _canned_changes(canned) if kind == MessageKind.REPLY else {}
    if field_changes:
        roles.require(by, roles.TRIAGE)
    ticket = ticket_writable(ticket, expected_version, by=by)
    if kind == MessageKind.NOTE:
        return add_message(ticket, kind=kind, body=body, by=by, attachments=attachments)
    # A canned response that says where the ticket goes next decides it.
    then_status = (canned.set_status if canned else "") or then_status or Status.WAITING
    if then_status not in REPLY_THEN_STATUSES:
        raise ValidationError({"then_status": _("Choose what happens to the ticket next.")})
    message = add_message(ticket, kind=kind, body=body, by=by, attachments=attachments)
    if field_changes:
        change_fields(ticket, by, field_changes)
    # Answering the partner while L2 works on it keeps it with L2.
    keeps_with_l2 = then_status == Status.WAITING and ticket.status == Status.ESCALATED
    if ticket.status != then_status and not keeps_with_l2:
        apply_status(ticket, then_status, by)
    return message


def _canned_changes(canned: CannedResponse | None) -> dict[str, Any]:
    if canned is None:
        return {}
    changes: dict[str, Any] = {}
    if canned.set_category_id:
        changes["category"] = canned.set_category
    if canned.set_impact_id:
        changes["impact"] = canned.set_impact
    return changes
