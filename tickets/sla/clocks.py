"""Each ticket's SLA clocks on its hub's calendar, moved by the ticket services.

The clocks start when the request arrived (or at the hub's next opening), the
first-response clock stops at the first public reply by staff, the resolution
clock pauses while the ticket waits on the customer and stops when it is
resolved. Every step is an :class:`SlaEvent`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from catalog.models import Hub, Impact
from tickets.models import Status, Ticket
from tickets.models.sla import SlaClock, SlaEvent, SlaEventKind, SlaPolicy, SlaTarget
from tickets.sla.memo import hub_closures, sla_policies
from tickets.working_time import WorkingCalendar

WARN_AT_SHARE = Decimal("0.75")
STOPPED_STATUSES = (Status.RESOLVED, Status.CLOSED)


# --- Calendars and policies -------------------------------------------------------


def calendar_for(hub: Hub | None) -> WorkingCalendar:
    """The hub's calendar with its closures; tickets without a hub use the default hours."""
    if hub is None:
        return WorkingCalendar(
            time_zone=settings.SLA_DEFAULT_TIME_ZONE,
            working_days=frozenset(range(5)),
            starts=time.fromisoformat(settings.SLA_DEFAULT_WORK_STARTS),
            ends=time.fromisoformat(settings.SLA_DEFAULT_WORK_ENDS),
            holiday_country=settings.SLA_DEFAULT_HOLIDAY_COUNTRY,
        )
    return WorkingCalendar(
        time_zone=hub.time_zone,
        working_days=frozenset(int(day) for day in hub.working_days),
        starts=hub.work_starts,
        ends=hub.work_ends,
        holiday_country=hub.holiday_country,
        holiday_subdivision=hub.holiday_subdivision,
        closures=hub_closures(hub),
    )


@dataclass(frozen=True)
class Targets:
    first_response_days: Decimal
    resolution_days: Decimal | None
    next_response_days: Decimal = Decimal("1")


def policy_for(ticket: Ticket) -> SlaPolicy | None:
    """The policy a ticket's clocks follow: the urgent one while it is urgent, else its
    impact's own, else the default policy (None: no policy at all, one working day)."""
    if ticket.is_urgent:
        urgent = next((policy for policy in sla_policies() if policy.urgent), None)
        if urgent is not None:
            return urgent
    return _impact_policy(ticket.impact)


def _impact_policy(impact: Impact | None) -> SlaPolicy | None:
    """The impact's own policy, else the last default one (impact-less, not urgent)."""
    impact_id = impact.pk if impact is not None else None
    default = next(
        (policy for policy in sla_policies() if policy.impact_id is None and not policy.urgent),
        None,
    )
    own = [policy for policy in sla_policies() if impact_id and policy.impact_id == impact_id]
    return own[-1] if own else default


def _targets(policy: SlaPolicy | None) -> Targets:
    if policy is None:
        return Targets(Decimal("1"), None)
    return Targets(policy.first_response_days, policy.resolution_days, policy.next_response_days)


def targets_for(impact: Impact | None) -> Targets:
    """The impact's own policy if it has one, else the default policy, else one working day."""
    return _targets(_impact_policy(impact))


def ticket_targets(ticket: Ticket) -> Targets:
    """The targets of :func:`policy_for` the ticket."""
    return _targets(policy_for(ticket))


def _window(calendar: WorkingCalendar, days: Decimal) -> timedelta:
    return timedelta(seconds=round(calendar.day_length.total_seconds() * float(days)))


# --- Clock changes, called by the ticket services inside their transaction ---------


def sla_plan(ticket: Ticket) -> list[SlaClock]:
    """The clocks a new ticket starts with, planned before its row is written.

    The ticket services set ``first_response_due_at`` from the first clock on the
    row they insert, and pass the plan to :func:`sla_start` once it has an id.
    """
    calendar = calendar_for(ticket.hub)
    targets = ticket_targets(ticket)
    arrived = ticket.received_at or ticket.created_at
    started = calendar.clock_start(arrived)
    windows = {SlaTarget.FIRST_RESPONSE: _window(calendar, targets.first_response_days)}
    if targets.resolution_days is not None:
        windows[SlaTarget.RESOLUTION] = _window(calendar, targets.resolution_days)
    clocks = []
    for target, window in windows.items():
        # A ticket logged late on a client's behalf may be due already: the next
        # check records the breach, as for any other ticket.
        clock = SlaClock(target=target, window=window, started_at=started)
        _plan_from_start(clock, calendar)
        clocks.append(clock)
    return clocks


def sla_start(ticket: Ticket, plan: list[SlaClock] | None = None) -> None:
    """Start the ticket's clocks at the moment the client reached out.

    With the ``plan`` made by :func:`sla_plan` before the insert, the row already
    carries its first-response due time; without, it is written here.
    """
    clocks = plan if plan is not None else sla_plan(ticket)
    for clock in clocks:
        clock.ticket = ticket
    SlaClock.objects.bulk_create(clocks)
    record_clock_events(clocks, SlaEventKind.STARTED, clocks[0].started_at)
    if plan is None or ticket.first_response_due_at != clocks[0].due_at:
        ticket.first_response_due_at = clocks[0].due_at
        Ticket.objects.filter(pk=ticket.pk).update(
            first_response_due_at=ticket.first_response_due_at
        )


def sla_first_response(ticket: Ticket, at: datetime) -> None:
    """The first public reply by staff: the first-response clock is met."""
    clock = _clock(ticket, SlaTarget.FIRST_RESPONSE)
    if clock is None or clock.met_at is not None:
        return
    _meet_first_response(clock, ticket, at)
    _event(clock, SlaEventKind.MET, at=at, note=_late_note(clock, at))


def sla_restate_first_response(
    ticket: Ticket,
    *,
    responded_at: datetime | None,
    as_of: datetime,
    stopped_at: datetime | None = None,
) -> SlaClock | None:
    """Set the first-response clock as if the first reply came at ``responded_at``.

    For tickets written after the fact (the demo's stories replay a ticket's life
    now, then date each step back): met, time left, warning and breach follow the
    dated reply, on the hub's calendar, as the beat check would have left them.
    ``stopped_at``: when a ticket done without a reply stopped the clock.
    """
    clock = _clock(ticket, SlaTarget.FIRST_RESPONSE)
    if clock is None or clock.due_at is None:
        return clock
    stopped = stopped_at if clock.met_at is not None else None
    decided = responded_at or stopped or as_of
    clock.met_at = responded_at or stopped
    clock.remaining = (
        _signed_remaining(calendar_for(ticket.hub), responded_at, clock.due_at)
        if responded_at
        else None
    )
    clock.warned_at = clock.warn_at if clock.warn_at and decided > clock.warn_at else None
    clock.breached_at = clock.due_at if decided > clock.due_at else None
    clock.save()
    return clock


def sla_status_changed(ticket: Ticket, old: str, new: str, at: datetime) -> None:
    """Pause, resume, stop or restart the clocks as the ticket moves through the workflow."""
    resolution = _clock(ticket, SlaTarget.RESOLUTION)
    if new in STOPPED_STATUSES and old not in STOPPED_STATUSES:
        first = _clock(ticket, SlaTarget.FIRST_RESPONSE)
        if first is not None and first.met_at is None:
            _meet_first_response(first, ticket, at, responded=False)
            _event(first, SlaEventKind.MET, at=at, note="stopped: resolved without a reply")
        if resolution is not None and resolution.met_at is None:
            _stop(resolution, at, note=_late_note(resolution, at))
    elif old in STOPPED_STATUSES and new not in STOPPED_STATUSES and resolution is not None:
        _restart(resolution, at, waiting=new == Status.WAITING)
    elif resolution is not None and resolution.met_at is None:
        if new == Status.WAITING and resolution.paused_at is None:
            _pause(resolution, at)
        elif old == Status.WAITING and resolution.paused_at is not None:
            _resume(resolution, at)
    _sync_ticket(ticket)
    from tickets.sla.next_response import next_response_status_changed  # it builds on this module

    next_response_status_changed(ticket, old, new, at)


def sla_recompute(ticket: Ticket, at: datetime, reason: str) -> None:
    """The impact, hub or urgency changed: new windows on the (new) calendar, from the arrival."""
    calendar = calendar_for(ticket.hub)
    targets = ticket_targets(ticket)
    days = {
        SlaTarget.FIRST_RESPONSE: targets.first_response_days,
        SlaTarget.RESOLUTION: targets.resolution_days,
    }
    existing = {clock.target: clock for clock in ticket.sla_clocks.all()}
    for target, target_days in days.items():
        clock = existing.get(target)
        if target_days is None:
            if clock is not None and clock.met_at is None:
                _stop(clock, at, note=f"no target any more ({reason})")
            continue
        window = _window(calendar, target_days)
        if clock is None:
            started = calendar.clock_start(ticket.received_at or ticket.created_at)
            clock = SlaClock(ticket=ticket, target=target, window=window, started_at=started)
            _plan_from_start(clock, calendar)
            clock.save()
            _event(clock, SlaEventKind.STARTED, at=at, note=reason)
            continue
        if clock.met_at is not None:
            continue
        old_window, clock.window = clock.window, window
        if clock.paused_at is not None:
            clock.remaining = window - (old_window - (clock.remaining or timedelta(0)))
        elif not clock.ticket.sla_events.filter(target=target, kind=SlaEventKind.PAUSED).exists():
            # From the arrival on this calendar: a start taken on the old hub's
            # calendar (its opening hours, its zone) would move the due time.
            clock.started_at = calendar.clock_start(ticket.received_at or ticket.created_at)
            _plan_from_start(clock, calendar)
        else:
            used = old_window - _signed_remaining(calendar, at, clock.due_at)
            _plan_from_remaining(clock, calendar, at, window - used)
        if clock.warned_at and clock.warn_at and clock.warn_at > at:
            clock.warned_at = None  # a longer window earns a fresh warning
        clock.save()
        _event(clock, SlaEventKind.RECOMPUTED, at=at, note=reason)
    _sync_ticket(ticket)
    from tickets.sla.next_response import next_response_recompute  # it builds on this module

    next_response_recompute(ticket, at, reason)


# --- Helpers ------------------------------------------------------------------------


def _meet_first_response(
    clock: SlaClock, ticket: Ticket, at: datetime, *, responded: bool = True
) -> None:
    """Stop the first-response clock, keeping the working time it had left (it never pauses).

    A ticket resolved without a reply stops the clock but keeps no time left: it
    has no response time to report.
    """
    clock.remaining = (
        _signed_remaining(calendar_for(ticket.hub), at, clock.due_at) if responded else None
    )
    clock.met_at = at
    clock.save(update_fields=["met_at", "remaining", "updated_at"])


def _clock(ticket: Ticket, target: str) -> SlaClock | None:
    return SlaClock.objects.filter(ticket=ticket, target=target).first()


def _plan_from_start(clock: SlaClock, calendar: WorkingCalendar) -> None:
    clock.due_at = calendar.add(clock.started_at, clock.window)
    clock.warn_at = calendar.add(clock.started_at, clock.window * float(WARN_AT_SHARE))


def _plan_from_remaining(
    clock: SlaClock, calendar: WorkingCalendar, at: datetime, remaining: timedelta
) -> None:
    """Due when the working time left has run from ``at``; already due if none is left."""
    start = calendar.clock_start(at)
    clock.due_at = calendar.add(start, remaining) if remaining > timedelta(0) else at
    before_warning = remaining - clock.window * float(1 - WARN_AT_SHARE)
    clock.warn_at = calendar.add(start, before_warning) if before_warning > timedelta(0) else at


def _signed_remaining(calendar: WorkingCalendar, at: datetime, due: datetime | None) -> timedelta:
    """Working time left until ``due``; negative once it has passed."""
    if due is None:
        return timedelta(0)
    if due >= at:
        return calendar.elapsed(at, due)
    return -calendar.elapsed(due, at)


def _pause(clock: SlaClock, at: datetime) -> None:
    clock.remaining = _signed_remaining(calendar_for(clock.ticket.hub), at, clock.due_at)
    clock.paused_at = at
    clock.due_at = None
    clock.warn_at = None
    clock.save()
    _event(clock, SlaEventKind.PAUSED, at=at)


def _resume(clock: SlaClock, at: datetime) -> None:
    calendar = calendar_for(clock.ticket.hub)
    _plan_from_remaining(clock, calendar, at, clock.remaining or timedelta(0))
    clock.paused_at = None
    clock.remaining = None
    clock.save()
    _event(clock, SlaEventKind.RESUMED, at=at, due_at=clock.due_at)


def _stop(clock: SlaClock, at: datetime, note: str = "") -> None:
    if clock.paused_at is None:
        clock.remaining = _signed_remaining(calendar_for(clock.ticket.hub), at, clock.due_at)
    clock.met_at = at
    clock.save()
    _event(clock, SlaEventKind.MET, at=at, note=note)


def _restart(clock: SlaClock, at: datetime, *, waiting: bool) -> None:
    """Reopened: the clock runs again with what was left when it stopped."""
    clock.met_at = None
    clock.paused_at = at
    clock.due_at = clock.warn_at = None
    clock.save()
    _event(clock, SlaEventKind.REOPENED, at=at)
    if not waiting:
        _resume(clock, at)


def _late_note(clock: SlaClock, at: datetime) -> str:
    if clock.due_at and at > clock.due_at:
        return "late"
    return "on time"


def _sync_ticket(ticket: Ticket) -> None:
    """The ticket carries its first-response due time for queue sorting and badges."""
    first = _clock(ticket, SlaTarget.FIRST_RESPONSE)
    due = first.due_at if first is not None else None
    if ticket.first_response_due_at != due:
        ticket.first_response_due_at = due
        Ticket.objects.filter(pk=ticket.pk).update(first_response_due_at=due)


def _event(
    clock: SlaClock, kind: str, *, at: datetime, due_at: datetime | None = None, note: str = ""
) -> None:
    SlaEvent.objects.create(
        ticket_id=clock.ticket_id,
        target=clock.target,
        kind=kind,
        at=at,
        due_at=due_at or clock.due_at,
        note=note[:200],
    )


def record_clock_events(clocks: list[SlaClock], kind: str, at: datetime) -> None:
    SlaEvent.objects.bulk_create(
        SlaEvent(ticket_id=c.ticket_id, target=c.target, kind=kind, at=at, due_at=c.due_at)
        for c in clocks
    )


def local_time(instant: datetime | None, hub: Hub | None) -> str:
    """An instant as the hub's people read it."""
    if instant is None:
        return ""
    zone = ZoneInfo(hub.time_zone) if hub else ZoneInfo(settings.SLA_DEFAULT_TIME_ZONE)
    return f"{instant.astimezone(zone):%Y-%m-%d %H:%M %Z}"
