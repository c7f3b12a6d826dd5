"""Merging a duplicate into the ticket that survives."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import roles
from tickets.models import EventKind, Message, MessageKind, Status, Ticket
from tickets.outbox import outbox_add
from tickets.outbox_kinds import OutboxKind
from tickets.services.history import record_event
from tickets.services.locking import ticket_locked
from tickets.services.status import apply_status

MERGE_TEMPLATE = "ticket_merged"


@transaction.atomic
def ticket_merge(
    *, ticket: Ticket, into: Ticket, by: User, expected_version: int | None = None
) -> Ticket:
    """Merge a duplicate into the ticket that survives.

    The duplicate's whole thread moves over, the duplicate points to the
    survivor (``merged_into``) and is closed, both histories and threads say so,
    and the duplicate's requester is emailed where their request went.
    """
    roles.require(by, roles.TRIAGE)
    if ticket.pk == into.pk:
        raise ValidationError({"into": _("A ticket cannot be merged into itself.")})
    # Both rows locked, lower id first, so two merges of the same pair cannot deadlock.
    first, second = sorted([ticket.pk, into.pk])
    locked = {t.pk: t for t in Ticket.objects.select_for_update().filter(pk__in=[first, second])}
    if into.pk not in locked:
        raise ValidationError({"into": _("There is no such ticket.")})
    source = ticket_locked(ticket, expected_version)
    target = locked[into.pk]
    _check_mergeable(source, target)
    _move_thread(source, target, by)
    source.merged_into = target
    source.save(update_fields=["merged_into", "updated_at"])
    apply_status(source, Status.CLOSED, by)
    target.save(update_fields=["updated_at"])
    _tell_requester(source, target)
    return target


def _merged_reference(ticket: Ticket) -> str:
    return f"{settings.TICKET_REFERENCE_PREFIX}-{ticket.merged_into_id}"


def _check_mergeable(source: Ticket, target: Ticket) -> None:
    if source.merged_into_id:
        raise ValidationError(
            _("%(ref)s was already merged into %(into)s.")
            % {"ref": source.reference, "into": _merged_reference(source)}
        )
    if target.merged_into_id:
        raise ValidationError(
            {
                "into": _("%(ref)s was itself merged into %(into)s; merge into that one.")
                % {"ref": target.reference, "into": _merged_reference(target)}
            }
        )
    if target.status == Status.CLOSED:
        raise ValidationError({"into": _("%(ref)s is closed.") % {"ref": target.reference}})
    if source.status == Status.CLOSED:
        raise ValidationError(_("%(ref)s is closed already.") % {"ref": source.reference})
    if source.status == Status.ESCALATED:
        raise ValidationError(
            _("%(ref)s is with L2; merge it once it is back from escalation.")
            % {"ref": source.reference}
        )


def _move_thread(source: Ticket, target: Ticket, by: User) -> None:
    """The messages move over; both threads and both histories say where they went."""
    moved = Message.objects.filter(ticket=source).update(ticket=target)
    now = timezone.now()
    Message.objects.create(
        ticket=target,
        kind=MessageKind.EVENT,
        body=_(
            "%(ref)s (%(subject)s) was merged into this ticket: %(count)s message(s) moved here."
        )
        % {"ref": source.reference, "subject": source.subject, "count": moved},
        author_user=by,
        created_at=now,
    )
    Message.objects.create(
        ticket=source,
        kind=MessageKind.EVENT,
        body=_("Merged into %(ref)s; the conversation continues there.")
        % {"ref": target.reference},
        author_user=by,
        created_at=now,
    )
    record_event(source, by, EventKind.MERGED, field="merged_into", new=target.reference)
    record_event(target, by, EventKind.MERGED, field="merged_from", new=source.reference)


def _tell_requester(source: Ticket, target: Ticket) -> None:
    """The duplicate's requester learns where their request went (a link only if it is theirs)."""
    same_person = source.requester_id == target.requester_id
    link = (
        settings.SITE_URL + reverse("portal:ticket", kwargs={"token": target.token})
        if same_person
        else ""
    )
    outbox_add(
        kind=OutboxKind.EMAIL,
        key=f"email:{MERGE_TEMPLATE}:{source.pk}",
        ticket=source,
        payload={
            "template": MERGE_TEMPLATE,
            "to": [source.requester.email],
            "ticket_id": source.pk,
            "message_id": None,
            "automatic": True,
            "context": {"surviving_reference": target.reference, "surviving_link": link},
        },
    )
