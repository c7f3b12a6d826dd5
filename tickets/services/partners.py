"""Partners met while triaging: add a new organisation and tag the ticket with it, or merge
duplicates (the back office's *merge into…*)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import Hub, Partner
from tickets import roles
from tickets.models import EventKind, Requester, Ticket
from tickets.queues.lists import lists_memo
from tickets.services.history import record_event
from tickets.services.locking import ticket_writable
from tickets.services.triage import change_fields

NAME_MAX = 200


def partner_named(name: str) -> Partner | None:
    """The partner with this name, however it is capitalised (names are unique that way)."""
    return Partner.objects.select_related("hub").filter(name__iexact=name).first()


@transaction.atomic
def ticket_add_partner(
    *,
    ticket: Ticket,
    by: User | None,
    name: str,
    hub: Hub,
    expected_version: int | None = None,
) -> Partner:
    """Create the partner ``name`` in ``hub`` and tag the ticket with it (and that hub).

    A name already taken (whatever its capitalisation) is refused and nothing is
    written: the agent chooses that partner instead. The requester, if they had
    no partner yet, is counted as one of theirs from now on.
    """
    roles.require(by, roles.TRIAGE)
    roles.require(by, roles.ADD_PARTNER)
    name = " ".join((name or "").split())[:NAME_MAX]
    if not name:
        raise ValidationError({"name": _("Give the partner a name.")})
    ticket = ticket_writable(ticket, expected_version, by=by)
    existing = partner_named(name)
    if existing is not None:
        raise ValidationError(
            {
                "name": _(
                    "There is already a partner named “%(name)s” (%(hub)s); choose it in "
                    "the partner list instead."
                )
                % {"name": existing.name, "hub": existing.hub.name}
            }
        )
    partner = Partner.objects.create(name=name, hub=hub)
    record_event(ticket, by, EventKind.FIELD, field="new_partner", new=f"{name} ({hub.name})")
    change_fields(ticket, by, {"partner": partner, "hub": hub})
    Requester.objects.filter(pk=ticket.requester_id, partner__isnull=True).update(partner=partner)
    return partner


@transaction.atomic
def ticket_set_partner(
    *, ticket: Ticket, by: User | None, partner: Partner, expected_version: int | None = None
) -> Ticket:
    """Tag the ticket with an existing partner and its hub (the triage panel's suggestion)."""
    roles.require(by, roles.TRIAGE)
    ticket = ticket_writable(ticket, expected_version, by=by)
    change_fields(ticket, by, {"partner": partner, "hub": partner.hub})
    return ticket


@transaction.atomic
def partner_merge(*, duplicate: Partner, into: Partner, by: User | None) -> int:
    """Move the duplicate's tickets and requesters to ``into``, then switch it off.

    Each moved ticket gets a history row; the duplicate stays (inactive) so old
    reports and links still name it. Returns how many tickets moved.
    """
    roles.require(by, roles.MERGE_PARTNERS)
    if duplicate.pk == into.pk:
        raise ValidationError(_("A partner cannot be merged into itself."))
    moved = 0
    for ticket in Ticket.objects.select_for_update().filter(partner=duplicate).order_by("pk"):
        ticket.partner = into
        ticket.save(update_fields=["partner", "updated_at"])
        record_event(ticket, by, EventKind.FIELD, field="partner", old=duplicate, new=into)
        moved += 1
    Requester.objects.filter(partner=duplicate).update(partner=into)
    Partner.objects.filter(pk=duplicate.pk).update(is_active=False)
    lists_memo.changed()  # update() sends no signal; the desk lists the partner as inactive now
    return moved
