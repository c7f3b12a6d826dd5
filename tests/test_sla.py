"""Working-day SLAs on tickets: clocks that start, pause, stop, warn once and breach once."""

import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone

from catalog.models import HubClosure
from tests import factories
from tickets import outbox, services, sla
from tickets.models import (
    Channel,
    EventKind,
    MessageKind,
    OutboxMessage,
    SlaClock,
    SlaEvent,
    SlaEventKind,
    SlaPolicy,
    SlaTarget,
    Status,
)

pytestmark = pytest.mark.django_db

NAIROBI = ZoneInfo("Africa/Nairobi")


def nairobi(*args: int) -> datetime:
    return datetime(*args, tzinfo=NAIROBI)


def log_for_a_nairobi_partner(received_at: datetime, *, phoned: bool = False):
    """A request from a partner of the East Africa hub; ``phoned``: logged later by an agent."""
    partner = factories.PartnerFactory(hub=factories.hub("east-africa"))
    return services.ticket_create(
        requester_email="wanjiku@partner.example.org",
        subject="Dashboard export fails",
        channel=Channel.PHONE if phoned else Channel.WEB,
        partner=partner,
        received_at=received_at,
        by=factories.l1_agent(email="amina@support.example.org") if phoned else None,
    )


def first_response(ticket) -> SlaClock:
    return ticket.sla_clocks.get(target=SlaTarget.FIRST_RESPONSE)


def test_a_friday_afternoon_request_in_nairobi_is_due_monday_afternoon():
    ticket = log_for_a_nairobi_partner(nairobi(2026, 11, 20, 16, 0), phoned=True)
    clock = first_response(ticket)
    assert clock.started_at == nairobi(2026, 11, 20, 16, 0)
    assert clock.due_at == nairobi(2026, 11, 23, 16, 0)
    assert clock.warn_at == nairobi(2026, 11, 23, 14, 0)  # 6 of 8 working hours used
    ticket.refresh_from_db()
    assert ticket.first_response_due_at == clock.due_at
    assert list(ticket.sla_events.values_list("kind", flat=True)) == [SlaEventKind.STARTED]


def test_a_request_logged_at_night_starts_the_clock_at_the_next_opening():
    ticket = log_for_a_nairobi_partner(nairobi(2026, 11, 24, 23, 0), phoned=True)
    assert first_response(ticket).started_at == nairobi(2026, 11, 25, 9, 0)


def test_a_closure_recorded_for_the_hub_moves_the_due_time():
    HubClosure.objects.create(hub=factories.hub("east-africa"), date=date(2026, 11, 23))
    ticket = log_for_a_nairobi_partner(nairobi(2026, 11, 20, 16, 0), phoned=True)
    assert first_response(ticket).due_at == nairobi(2026, 11, 24, 16, 0)


def test_the_first_public_reply_meets_the_first_response_target():
    ticket = log_for_a_nairobi_partner(timezone.now())
    agent = factories.l1_agent()
    services.ticket_add_message(ticket=ticket, kind=MessageKind.NOTE, body="Checking", by=agent)
    assert first_response(ticket).met_at is None  # a note is not a response

    reply = services.ticket_add_message(
        ticket=ticket, kind=MessageKind.REPLY, body="Fixed on our side", by=agent
    )
    clock = first_response(ticket)
    assert clock.met_at == reply.created_at
    assert SlaEvent.objects.filter(ticket=ticket, kind=SlaEventKind.MET).count() == 1


def test_an_acknowledgement_and_field_changes_do_not_count_as_a_response():
    ticket = log_for_a_nairobi_partner(timezone.now())
    assert OutboxMessage.objects.filter(ticket=ticket).exists()  # the acknowledgement
    services.ticket_change_fields(
        ticket=ticket, by=None, changes={"category": factories.category("bug")}
    )
    assert first_response(ticket).met_at is None


def test_a_critical_ticket_gets_the_tighter_target_when_triaged():
    critical = factories.impact("critical")
    SlaPolicy.objects.update_or_create(
        impact=critical, defaults={"first_response_days": Decimal("0.5")}
    )
    ticket = log_for_a_nairobi_partner(nairobi(2026, 11, 20, 16, 0), phoned=True)
    assert first_response(ticket).due_at == nairobi(2026, 11, 23, 16, 0)

    services.ticket_change_fields(ticket=ticket, by=None, changes={"impact": critical})

    clock = first_response(ticket)
    assert clock.due_at == nairobi(2026, 11, 23, 12, 0)  # 4 working hours
    assert clock.window == timedelta(hours=4)
    assert ticket.sla_events.filter(kind=SlaEventKind.RECOMPUTED).get().note == "impact"


def test_moving_the_ticket_to_another_hub_recomputes_on_that_calendar():
    ticket = log_for_a_nairobi_partner(datetime(2026, 11, 20, 13, 0, tzinfo=UTC), phoned=True)
    services.ticket_change_fields(
        ticket=ticket, by=None, changes={"hub": factories.hub("americas")}
    )
    bogota = ZoneInfo("America/Bogota")
    # 08:00 in Bogotá: the clock starts at 09:00 and the 8 hours fit in Friday.
    assert first_response(ticket).due_at == datetime(2026, 11, 20, 17, 0, tzinfo=bogota)


def test_a_ticket_moved_to_a_hub_is_due_from_its_arrival_on_that_hubs_calendar():
    # Arrived on a Sunday with no hub known; triaged to East Africa on Monday morning.
    ticket = services.ticket_create(
        requester_email="kofi@unknown.example.org",
        subject="Sync fails",
        channel=Channel.EMAIL,
        received_at=datetime(2026, 11, 22, 4, 39, tzinfo=UTC),
    )
    with time_machine.travel(datetime(2026, 11, 23, 7, 0, tzinfo=UTC), tick=False):
        services.ticket_change_fields(
            ticket=ticket, by=None, changes={"hub": factories.hub("east-africa")}
        )

    clock = first_response(ticket)
    # Nairobi opens Monday 09:00 (06:00 UTC); one working day of 8 hours later.
    assert clock.started_at == datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    assert clock.due_at == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def test_resolution_time_pauses_while_waiting_on_the_customer():
    SlaPolicy.objects.filter(impact__isnull=True).update(resolution_days=Decimal("2"))
    ticket = log_for_a_nairobi_partner(nairobi(2026, 11, 23, 9, 0), phoned=True)  # Monday
    clock = ticket.sla_clocks.get(target=SlaTarget.RESOLUTION)
    assert clock.due_at == nairobi(2026, 11, 24, 17, 0)

    sla.sla_status_changed(ticket, Status.NEW, Status.WAITING, nairobi(2026, 11, 23, 13, 0))
    clock.refresh_from_db()
    assert clock.due_at is None
    assert clock.remaining == timedelta(hours=12)

    sla.sla_status_changed(ticket, Status.WAITING, Status.OPEN, nairobi(2026, 11, 25, 9, 0))
    clock.refresh_from_db()
    assert clock.due_at == nairobi(2026, 11, 26, 13, 0)  # Wednesday 8 h + Thursday 4 h
    assert clock.paused_at is None
    kinds = list(
        ticket.sla_events.filter(target=SlaTarget.RESOLUTION).values_list("kind", flat=True)
    )
    assert kinds == [SlaEventKind.STARTED, SlaEventKind.PAUSED, SlaEventKind.RESUMED]


def test_the_first_response_clock_never_pauses():
    ticket = log_for_a_nairobi_partner(nairobi(2026, 11, 23, 9, 0), phoned=True)
    before = first_response(ticket).due_at
    sla.sla_status_changed(ticket, Status.NEW, Status.WAITING, nairobi(2026, 11, 23, 13, 0))
    assert first_response(ticket).due_at == before


def test_resolving_stops_the_clocks_and_reopening_runs_resolution_again():
    SlaPolicy.objects.filter(impact__isnull=True).update(resolution_days=Decimal("1"))
    ticket = log_for_a_nairobi_partner(nairobi(2026, 11, 23, 9, 0), phoned=True)
    sla.sla_status_changed(ticket, Status.OPEN, Status.RESOLVED, nairobi(2026, 11, 23, 11, 0))
    resolution = ticket.sla_clocks.get(target=SlaTarget.RESOLUTION)
    assert resolution.met_at == nairobi(2026, 11, 23, 11, 0)
    assert resolution.remaining == timedelta(hours=6)

    sla.sla_status_changed(ticket, Status.RESOLVED, Status.OPEN, nairobi(2026, 11, 24, 9, 0))
    resolution.refresh_from_db()
    assert resolution.met_at is None
    assert resolution.due_at == nairobi(2026, 11, 24, 15, 0)


# --- The beat check -----------------------------------------------------------------


def test_a_ticket_at_three_quarters_of_its_window_warns_its_assignee_once():
    ticket = log_for_a_nairobi_partner(nairobi(2026, 11, 20, 16, 0), phoned=True)
    agent = factories.l1_agent(email="joost@support.example.org")
    services.ticket_assign(ticket=ticket, assignee=agent, by=agent)

    assert sla.sla_check(now=nairobi(2026, 11, 23, 13, 59)) == sla.CheckResult(0, 0)
    assert sla.sla_check(now=nairobi(2026, 11, 23, 14, 1)) == sla.CheckResult(1, 0)
    assert sla.sla_check(now=nairobi(2026, 11, 23, 14, 2)) == sla.CheckResult(0, 0)

    [warning] = OutboxMessage.objects.filter(payload__template="sla_warning")
    assert warning.payload["to"] == ["joost@support.example.org"]
    assert first_response(ticket).warned_at == nairobi(2026, 11, 23, 14, 1)


def test_a_ticket_past_due_is_breached_once_with_a_history_event_and_one_email():
    ticket = log_for_a_nairobi_partner(nairobi(2026, 11, 20, 16, 0), phoned=True)
    factories.l1_agent(email="wekesa@support.example.org")
    late = nairobi(2026, 11, 23, 16, 5)

    assert sla.sla_check(now=late) == sla.CheckResult(1, 1)
    assert sla.sla_check(now=late + timedelta(minutes=1)) == sla.CheckResult(0, 0)

    ticket.refresh_from_db()
    assert ticket.first_response_breached_at == late
    event = ticket.events.get(kind=EventKind.SLA)
    assert event.field == SlaTarget.FIRST_RESPONSE
    assert "2026-11-23 16:00 EAT" in event.new_value
    [breach] = OutboxMessage.objects.filter(payload__template="sla_breach")
    assert "wekesa@support.example.org" in breach.payload["to"]  # unassigned: the L1 team
    # Already past due at its first check: one breach notice, no warning beside it.
    assert not OutboxMessage.objects.filter(payload__template="sla_warning").exists()


def test_the_breach_email_reaches_the_team_address(settings):
    settings.SUPPORT_TEAM_EMAIL = "support-team@example.org"
    ticket = log_for_a_nairobi_partner(nairobi(2026, 11, 20, 16, 0), phoned=True)
    sla.sla_check(now=nairobi(2026, 11, 23, 16, 5))
    row = OutboxMessage.objects.get(payload__template="sla_breach")
    assert outbox.outbox_deliver_row(row.pk).outcome == "delivered"
    [email] = [m for m in mail.outbox if "breached" in m.subject]
    assert email.to == ["support-team@example.org"]
    assert ticket.reference in email.subject
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"
    assert f"{settings.SITE_URL}/desk/tickets/{ticket.pk}/" in email.body  # the agents' page


def test_a_ticket_answered_in_time_is_never_warned_or_breached():
    ticket = log_for_a_nairobi_partner(nairobi(2026, 11, 20, 16, 0), phoned=True)
    sla.sla_first_response(ticket, nairobi(2026, 11, 23, 10, 0))
    assert sla.sla_check(now=nairobi(2026, 11, 30, 9, 0)) == sla.CheckResult(0, 0)


@pytest.mark.django_db(transaction=True)
def test_two_checks_running_at_once_warn_and_breach_each_ticket_once():
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED are what this proves; SQLite has one writer")
    tickets = [
        log_for_a_nairobi_partner(nairobi(2026, 11, 20, 16, 0), phoned=True) for _ in range(40)
    ]
    late = nairobi(2026, 11, 23, 16, 5)
    results: list[sla.CheckResult] = []
    barrier = threading.Barrier(2)

    def run_check():
        try:
            barrier.wait()
            results.append(sla.sla_check(now=late, batch_size=7))
        finally:
            connection.close()

    threads = [threading.Thread(target=run_check) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(r.warned for r in results) == len(tickets)
    assert sum(r.breached for r in results) == len(tickets)
    assert SlaEvent.objects.filter(kind=SlaEventKind.BREACHED).count() == len(tickets)
    assert OutboxMessage.objects.filter(payload__template="sla_breach").count() == len(tickets)
    assert SlaEvent.objects.filter(kind=SlaEventKind.WARNED).count() == len(tickets)
    # All were past due at the check: the breach notice says it, no warning beside it.
    assert not OutboxMessage.objects.filter(payload__template="sla_warning").exists()
