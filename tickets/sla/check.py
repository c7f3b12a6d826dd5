"""The minute-by-minute check (beat): a warning at 75 % of a window and a breach past it,
each recorded and notified once, through the outbox."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.alerts import AlertEvent, alert_team_many
from tickets.models import EventKind, Ticket, TicketEvent
from tickets.models.sla import SlaClock, SlaEventKind, SlaTarget
from tickets.outbox import OutboxItem, outbox_add_many
from tickets.outbox_kinds import OutboxKind
from tickets.published_events import EventType, publish_many
from tickets.sla.clocks import local_time, record_clock_events
from tickets.time_zones import format_zoned, staff_mail_zone

logger = logging.getLogger(__name__)

# --- The beat check --------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    warned: int
    breached: int


def sla_check(*, now: datetime | None = None, batch_size: int = 500) -> CheckResult:
    """Warn at 75 % and breach past due, each once per clock, however many checks run."""
    now = now or timezone.now()
    recipients = _Recipients()
    warned = _process(
        Q(met_at__isnull=True, warned_at__isnull=True, warn_at__lte=now),
        "warn_at",
        lambda clocks: _warn(clocks, now, recipients),
        batch_size,
    )
    breached = _process(
        Q(met_at__isnull=True, breached_at__isnull=True, due_at__lte=now),
        "due_at",
        lambda clocks: _breach(clocks, now, recipients),
        batch_size,
    )
    return CheckResult(warned, breached)


def _process(
    condition: Q, order: str, act: Callable[[list[SlaClock]], None], batch_size: int
) -> int:
    done = 0
    while True:
        with transaction.atomic():
            # Two checks at once each lock their own batch and skip the other's rows;
            # the condition, re-read under the lock, keeps a row from being handled twice.
            # The tickets are locked with their clocks, in the order agents' actions lock
            # them (ticket, then clocks): a ticket being worked right now is left to the
            # next check instead of deadlocking with the agent's transaction.
            batch = list(
                SlaClock.objects.select_for_update(skip_locked=True, of=("self", "ticket"))
                .filter(condition)
                .select_related("ticket__assignee__staff_profile__hub", "ticket__hub")
                .order_by(order)[:batch_size]
            )
            if batch:
                act(batch)
        done += len(batch)
        if len(batch) < batch_size:
            return done


def _warn(clocks: list[SlaClock], now: datetime, recipients: _Recipients) -> None:
    SlaClock.objects.filter(pk__in=[c.pk for c in clocks]).update(warned_at=now, updated_at=now)
    record_clock_events(clocks, SlaEventKind.WARNED, now)
    # A clock already past due (a ticket logged late, a check that did not run) is
    # breached by this same check: one breach notice says it, not a warning too.
    _notify_staff([c for c in clocks if c.due_at and c.due_at > now], "sla_warning", recipients)


def _breach(clocks: list[SlaClock], now: datetime, recipients: _Recipients) -> None:
    SlaClock.objects.filter(pk__in=[c.pk for c in clocks]).update(breached_at=now, updated_at=now)
    record_clock_events(clocks, SlaEventKind.BREACHED, now)
    label = _("SLA check")
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket_id=clock.ticket_id,
            actor=None,
            actor_label=label,
            kind=EventKind.SLA,
            field=clock.target,
            old_value="",
            new_value=_alert_detail(clock, "sla_breach"),
            created_at=now,
        )
        for clock in clocks
    )
    first_response = [c.ticket_id for c in clocks if c.target == SlaTarget.FIRST_RESPONSE]
    Ticket.objects.filter(pk__in=first_response).update(first_response_breached_at=now)
    _notify_staff(clocks, "sla_breach", recipients)
    publish_many([(c.ticket_id, EventType.SLA_BREACHED, _breach_facts(c)) for c in clocks])


def _breach_facts(clock: SlaClock) -> dict[str, str]:
    return {"target": clock.target, "due_at": clock.due_at.isoformat() if clock.due_at else ""}


class _Recipients:
    """Who hears about a ticket's SLA: its assignee, else the team (looked up once per check)."""

    def __init__(self) -> None:
        self._team: list[str] | None = None

    def for_ticket(self, ticket: Ticket) -> list[str]:
        if ticket.assignee and ticket.assignee.email:
            return [ticket.assignee.email]
        if self._team is None:
            self._team = team_to_notify()
        return self._team


def staff_to_notify(ticket: Ticket) -> list[str]:
    """Who hears about one ticket: its assignee, else the team."""
    return _Recipients().for_ticket(ticket)


def team_to_notify() -> list[str]:
    """The team address if one is set; else every active L1 agent."""
    from tickets.roles import L1_AGENT

    if settings.SUPPORT_TEAM_EMAIL:
        return [settings.SUPPORT_TEAM_EMAIL]
    agents = User.objects.filter(groups__name=L1_AGENT, is_active=True).exclude(email="")
    return sorted(set(agents.values_list("email", flat=True)))


def _notify_staff(clocks: list[SlaClock], template: AlertEvent, recipients: _Recipients) -> None:
    items = []
    for clock in clocks:
        to = recipients.for_ticket(clock.ticket)
        if not to:
            logger.warning("No one to tell about %s on %s", template, clock.ticket.reference)
            continue
        zone = staff_mail_zone(clock.ticket)
        items.append(
            OutboxItem(
                kind=OutboxKind.EMAIL,
                key=f"email:{template}:{clock.pk}:{_due_key(clock)}",
                ticket_id=clock.ticket_id,
                payload={
                    "template": template,
                    "to": to,
                    "ticket_id": clock.ticket_id,
                    "message_id": None,
                    "automatic": True,
                    # Written for its reader: "Mon 7 Dec 09:30 EAT" in their zone.
                    "time_zone": zone.key,
                    "context": {
                        "target": str(clock.get_target_display()),
                        "due_at": format_zoned(clock.due_at, zone),
                    },
                },
            )
        )
    outbox_add_many(items)
    # The team channel hears about every warning and breach, assigned or not.
    alert_team_many(
        [
            (
                clock.ticket_id,
                template,
                f"slack_alert:{template}:{clock.pk}:{_due_key(clock)}",
                _alert_detail(clock, template),
            )
            for clock in clocks
        ]
    )


def _due_key(clock: SlaClock) -> str:
    return clock.due_at.isoformat() if clock.due_at else ""


def _alert_detail(clock: SlaClock, template: str) -> str:
    values = {
        "target": clock.get_target_display(),
        "due": local_time(clock.due_at, clock.ticket.hub),
    }
    if template == "sla_breach":
        return _("%(target)s overdue since %(due)s") % values
    return _("%(target)s due %(due)s") % values
