"""The next-response clock: from a customer message that follows our reply to our next reply.

One clock per ticket (``SlaTarget.NEXT_RESPONSE``), run again for each round of
the conversation: a customer message starts it when no first response is owed
and it is not already running (a second message before we answer does not
restart it), the next public reply meets it. Like the resolution clock it pauses
while the ticket waits on the customer and stops when the ticket is resolved or
closed; a reopened ticket starts it with the customer's message. Warnings and
breaches come from the same beat check as every other clock, once per round
(a new round clears the last one's warning and breach). Every step is an
:class:`SlaEvent`, so a report counts each round.
"""

from __future__ import annotations

from datetime import datetime

from tickets.models import Status, Ticket
from tickets.models.sla import SlaClock, SlaEvent, SlaEventKind, SlaTarget
from tickets.sla.clocks import (
    STOPPED_STATUSES,
    _clock,
    _event,
    _late_note,
    _pause,
    _plan_from_remaining,
    _plan_from_start,
    _resume,
    _signed_remaining,
    _stop,
    _window,
    calendar_for,
    targets_for,
)


def first_response_owed(ticket: Ticket) -> bool:
    """Nobody has answered the request yet: its first-response clock still runs."""
    if ticket.first_responded_at is not None:
        return False
    return not SlaClock.objects.filter(
        ticket=ticket, target=SlaTarget.FIRST_RESPONSE, met_at__isnull=False
    ).exists()


def sla_customer_message(ticket: Ticket, at: datetime) -> SlaClock | None:
    """A customer message on a locked ticket: start the next-response round unless one runs."""
    if ticket.status in STOPPED_STATUSES or first_response_owed(ticket):
        return None
    clock = _clock(ticket, SlaTarget.NEXT_RESPONSE)
    if clock is not None and clock.met_at is None:
        return clock  # already owed a reply: the clock keeps its start
    calendar = calendar_for(ticket.hub)
    window = _window(calendar, targets_for(ticket.impact).next_response_days)
    started = calendar.clock_start(at)
    if clock is None:
        clock = SlaClock(ticket=ticket, target=SlaTarget.NEXT_RESPONSE)
    clock.window, clock.started_at = window, started
    clock.met_at = clock.paused_at = clock.remaining = None
    clock.warned_at = clock.breached_at = None
    _plan_from_start(clock, calendar)
    clock.save()
    _event(clock, SlaEventKind.STARTED, at=at)
    if ticket.status == Status.WAITING:
        _pause(clock, at)
    sync_next_response_due(ticket, clock)
    return clock


def sla_next_response(ticket: Ticket, at: datetime) -> None:
    """A public reply: the running next-response round is met (on time or late)."""
    clock = _clock(ticket, SlaTarget.NEXT_RESPONSE)
    if clock is None or clock.met_at is not None:
        return
    note = _late_note(clock, at)
    if clock.paused_at is None:
        clock.remaining = _signed_remaining(calendar_for(ticket.hub), at, clock.due_at)
    clock.met_at = at
    clock.save()
    _event(clock, SlaEventKind.MET, at=at, note=note)
    sync_next_response_due(ticket, clock)


def next_response_status_changed(ticket: Ticket, old: str, new: str, at: datetime) -> None:
    """Stop on resolve/close, pause while waiting on the customer, resume after."""
    clock = _clock(ticket, SlaTarget.NEXT_RESPONSE)
    if clock is None or clock.met_at is not None:
        return
    if new in STOPPED_STATUSES:
        _stop(clock, at, note="stopped: resolved without a reply")
    elif new == Status.WAITING and clock.paused_at is None:
        _pause(clock, at)
    elif old == Status.WAITING and clock.paused_at is not None:
        _resume(clock, at)
    sync_next_response_due(ticket, clock)


def next_response_recompute(ticket: Ticket, at: datetime, reason: str) -> None:
    """Impact or hub changed: the running round's window on the (new) calendar, from its start."""
    clock = _clock(ticket, SlaTarget.NEXT_RESPONSE)
    if clock is None or clock.met_at is not None:
        return
    calendar = calendar_for(ticket.hub)
    old_window = clock.window
    clock.window = _window(calendar, targets_for(ticket.impact).next_response_days)
    round_started = (
        SlaEvent.objects.filter(
            ticket=ticket, target=SlaTarget.NEXT_RESPONSE, kind=SlaEventKind.STARTED
        )
        .order_by("-at", "-id")
        .values_list("at", flat=True)
        .first()
    ) or clock.started_at
    paused_since = SlaEvent.objects.filter(
        ticket=ticket,
        target=SlaTarget.NEXT_RESPONSE,
        kind=SlaEventKind.PAUSED,
        at__gte=round_started,
    ).exists()
    if clock.paused_at is not None:
        clock.remaining = clock.window - (old_window - (clock.remaining or old_window))
    elif paused_since:
        used = old_window - _signed_remaining(calendar, at, clock.due_at)
        _plan_from_remaining(clock, calendar, at, clock.window - used)
    else:
        # From the customer's message on this calendar, as the first-response clock does.
        clock.started_at = calendar.clock_start(round_started)
        _plan_from_start(clock, calendar)
    if clock.warned_at and clock.warn_at and clock.warn_at > at:
        clock.warned_at = None  # a longer window earns a fresh warning
    clock.save()
    _event(clock, SlaEventKind.RECOMPUTED, at=at, note=reason)
    sync_next_response_due(ticket, clock)


def sync_next_response_due(ticket: Ticket, clock: SlaClock) -> None:
    """The ticket carries the running round's due time, for the *Needs reply* sort."""
    due = clock.due_at if clock.met_at is None else None
    if ticket.next_response_due_at != due:
        ticket.next_response_due_at = due
        Ticket.objects.filter(pk=ticket.pk).update(next_response_due_at=due)


def sla_restate_next_response(
    ticket: Ticket, *, customer_at: datetime | None, as_of: datetime
) -> SlaClock | None:
    """For tickets written after the fact (the demo): a running round as if it began at
    ``customer_at``, warned and breached as the beat check would have left it by ``as_of``."""
    clock = _clock(ticket, SlaTarget.NEXT_RESPONSE)
    if clock is None or clock.met_at is not None or customer_at is None:
        return clock
    if clock.paused_at is None:
        calendar = calendar_for(ticket.hub)
        clock.started_at = calendar.clock_start(customer_at)
        _plan_from_start(clock, calendar)
        clock.warned_at = clock.warn_at if clock.warn_at and as_of > clock.warn_at else None
        clock.breached_at = clock.due_at if clock.due_at and as_of > clock.due_at else None
        clock.save()
    sync_next_response_due(ticket, clock)
    return clock
