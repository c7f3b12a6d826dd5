"""Optimistic locking: a change runs only on the version of the ticket the person loaded.

A desk form (or an API client, with ``If-Match``) carries the ticket's ``version``
as it was loaded; every saved change moves it on (``Ticket.save``). A service
given ``expected_version`` locks the row and refuses with :class:`StaleTicket`
if it moved, saying who changed it; nothing is written. ``None`` skips the check
(the system, and callers without a form).
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tickets.models import Status, Ticket, TicketEvent


class StaleTicket(Exception):
    """The ticket changed after the person loaded it; nothing was written."""

    def __init__(self, ticket: Ticket, expected: int, last_change: TicketEvent | None) -> None:
        self.ticket = ticket
        self.expected = expected
        self.current = ticket.version
        self.last_change = last_change
        who = last_change.actor_label if last_change else _("someone")
        super().__init__(
            _(
                "%(ref)s was changed by %(who)s after you opened it, so your change was not "
                "saved. The page now shows the ticket as it is; what you typed is kept below. "
                "Check, then send again."
            )
            % {"ref": ticket.reference, "who": who}
        )


def ticket_locked(ticket: Ticket, expected_version: int | None = None) -> Ticket:
    """Lock the ticket's row (call inside a transaction); refuse if it moved past the version."""
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    check_version(ticket=locked, expected_version=expected_version)
    return locked


def check_version(*, ticket: Ticket, expected_version: int | None) -> None:
    """Raise StaleTicket if ``ticket`` (as read) is past the version a form loaded.

    Without a lock this is an early answer for a form built on an older ticket;
    the services check again under the row lock.
    """
    if expected_version is not None and ticket.version != expected_version:
        last = (
            TicketEvent.objects.filter(ticket=ticket)
            .exclude(actor_label="")
            .order_by("-id")
            .first()
        )
        raise StaleTicket(ticket, expected_version, last)


class TicketClosed(ValidationError):
    """A person tried to change a closed (or merged) ticket; only reopening it is allowed."""

    def __init__(self, ticket: Ticket) -> None:
        if ticket.merged_into_id:
            message = _("%(ref)s was merged into %(into)s: make your changes there.") % {
                "ref": ticket.reference,
                "into": Ticket(pk=ticket.merged_into_id).reference,
            }
        else:
            message = _("%(ref)s is closed — reopen it to make changes.") % {
                "ref": ticket.reference
            }
        super().__init__(message, code="closed")


def check_not_closed(ticket: Ticket) -> None:
    """Refuse with :class:`TicketClosed` if the ticket is closed or merged."""
    if ticket.status == Status.CLOSED or ticket.merged_into_id:
        raise TicketClosed(ticket)


def ticket_writable(
    ticket: Ticket, expected_version: int | None = None, *, by: User | None
) -> Ticket:
    """:func:`ticket_locked`, refusing a person's change to a closed or merged ticket.

    Closed is read-only for people until someone reopens it; the help desk itself
    (``by=None``: webhooks from L2, the mailbox, beat) still records what happens,
    and an inbound customer message follows its own rule (a follow-up ticket).
    """
    locked = ticket_locked(ticket, expected_version)
    if by is not None:
        check_not_closed(locked)
    return locked
