"""The next-response target: per impact, on the hub's calendar, paused, warned and breached once."""

from __future__ import annotations

import importlib
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.test import Client
from django.urls import reverse

from reports.figures import build_report
from reports.filters import Period, ReportFilters
from tests import factories
from tests.desk_helpers import deliver_all, logged_in, mails_to
from tests.test_customer_replies import (
    AGENT_EMAIL,
    answered_ticket,
    next_response,
    reply_on_the_page,
)
from tickets import services, sla
from tickets.models import (
    MessageKind,
    OutboxMessage,
    SlaEvent,
    SlaEventKind,
    SlaPolicy,
    SlaTarget,
    Status,
)
from tickets.queues import desk_lists
from tickets.sla.defaults import seed_default_policies

pytestmark = pytest.mark.django_db

NAIROBI = ZoneInfo("Africa/Nairobi")


def nairobi(*args: int) -> datetime:
    return datetime(*args, tzinfo=NAIROBI)


def events(ticket, kind: str):
    return SlaEvent.objects.filter(ticket=ticket, target=SlaTarget.NEXT_RESPONSE, kind=kind)


# --- Policies ---------------------------------------------------------------------


def test_critical_is_answered_much_sooner_than_low_by_default():
    critical = sla.targets_for(factories.impact("critical"))
    significant = sla.targets_for(factories.impact("significant"))
    low = sla.targets_for(factories.impact("low"))

    assert (critical.first_response_days, critical.next_response_days) == (
        Decimal("0.25"),
        Decimal("0.25"),
    )
    assert (significant.first_response_days, significant.next_response_days) == (
        Decimal("0.5"),
        Decimal("0.5"),
    )
    assert (low.first_response_days, low.next_response_days) == (Decimal("1"), Decimal("1"))


def test_seeding_the_defaults_again_never_changes_an_admins_policy():
    critical = factories.impact("critical")
    SlaPolicy.objects.filter(impact=critical).update(
        first_response_days=Decimal("0.1"), next_response_days=Decimal("0.2")
    )
    SlaPolicy.objects.filter(impact=factories.impact("significant")).delete()

    seed_default_policies()
    migration = importlib.import_module("tickets.migrations.0012_next_response_target")
    migration.seed_next_response_policies(apps, None)

    mine = SlaPolicy.objects.get(impact=critical)
    assert mine.first_response_days == Decimal("0.1")  # the admin's value stays
    significant = SlaPolicy.objects.get(impact=factories.impact("significant"))
    assert significant.first_response_days == Decimal("0.5")  # the missing one comes back
    assert SlaPolicy.objects.filter(impact__isnull=True, urgent=False).count() == 1
    assert SlaPolicy.objects.filter(urgent=True).count() == 1


def test_the_back_office_shows_and_edits_the_next_response_target():
    admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client = logged_in(admin)
    policy = SlaPolicy.objects.get(impact=factories.impact("critical"))

    listing = client.get(reverse("admin:tickets_slapolicy_changelist")).content.decode()
    page = client.get(reverse("admin:tickets_slapolicy_change", args=[policy.pk]))

    assert "next response within (working days)" in listing.lower()
    assert 'name="next_response_days"' in page.content.decode()


# --- The clock -----------------------------------------------------------------------


def test_the_clock_pauses_while_the_ticket_waits_on_the_customer_and_resumes_after():
    ticket = answered_ticket()
    agent = ticket.assignee
    reply_on_the_page(ticket, nairobi(2026, 11, 24, 10, 0))  # due Wed 25, 10:00

    with time_machine.travel(nairobi(2026, 11, 24, 12, 0), tick=False):
        services.ticket_change_status(ticket=ticket, status=Status.WAITING, by=agent)
    clock = next_response(ticket)
    assert clock.paused_at is not None
    assert clock.due_at is None
    ticket.refresh_from_db()
    assert ticket.next_response_due_at is None

    # Six working hours were left; back the next morning at 09:00, due at 15:00.
    reply_on_the_page(ticket, nairobi(2026, 11, 25, 9, 0), body="Any news?")
    clock = next_response(ticket)
    assert clock.paused_at is None
    assert clock.due_at == nairobi(2026, 11, 25, 15, 0)
    assert events(ticket, SlaEventKind.STARTED).count() == 1  # the same round goes on


def test_a_warning_and_a_breach_each_go_out_once_whatever_the_number_of_checks():
    ticket = answered_ticket()
    reply_on_the_page(ticket, nairobi(2026, 11, 24, 10, 0))  # due Wed 25, 10:00
    deliver_all()
    mail.outbox.clear()

    for _check in range(2):
        sla.sla_check(now=nairobi(2026, 11, 24, 16, 30))  # 75 % of 8 working hours used
    deliver_all()
    [warning] = mails_to(AGENT_EMAIL)
    assert "SLA at risk: Next response" in warning.subject

    mail.outbox.clear()
    for _check in range(2):
        sla.sla_check(now=nairobi(2026, 11, 25, 10, 5))
    deliver_all()
    [breach] = mails_to(AGENT_EMAIL)
    assert "SLA breached: Next response" in breach.subject
    assert events(ticket, SlaEventKind.WARNED).count() == 1
    assert events(ticket, SlaEventKind.BREACHED).count() == 1
    history = ticket.events.filter(kind="sla", field=SlaTarget.NEXT_RESPONSE)
    assert history.count() == 1


def test_each_round_of_the_conversation_is_timed_warned_and_breached_on_its_own():
    ticket = answered_ticket()
    agent = ticket.assignee
    reply_on_the_page(ticket, nairobi(2026, 11, 24, 10, 0))
    sla.sla_check(now=nairobi(2026, 11, 25, 11, 0))  # breached
    with time_machine.travel(nairobi(2026, 11, 25, 12, 0), tick=False):
        services.ticket_reply(ticket=ticket, by=agent, kind=MessageKind.REPLY, body="Sorry.")

    reply_on_the_page(ticket, nairobi(2026, 11, 26, 9, 0), body="Still broken.")
    clock = next_response(ticket)
    assert (clock.warned_at, clock.breached_at, clock.met_at) == (None, None, None)
    assert clock.due_at == nairobi(2026, 11, 26, 17, 0)  # eight working hours: the same day
    sla.sla_check(now=nairobi(2026, 11, 27, 9, 30))
    assert events(ticket, SlaEventKind.BREACHED).count() == 2
    met = events(ticket, SlaEventKind.MET).get()
    assert met.note == "late"


def test_resolving_without_a_reply_stops_the_clock_without_a_breach():
    ticket = answered_ticket()
    agent = ticket.assignee
    reply_on_the_page(ticket, nairobi(2026, 11, 24, 10, 0), body="Thanks, all good now.")

    with time_machine.travel(nairobi(2026, 11, 24, 11, 0), tick=False):
        services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, by=agent)
    sla.sla_check(now=nairobi(2026, 11, 30, 10, 0))

    assert next_response(ticket).met_at == nairobi(2026, 11, 24, 11, 0)
    assert not events(ticket, SlaEventKind.BREACHED).exists()


def test_raising_the_impact_to_critical_shortens_the_running_round():
    ticket = answered_ticket()
    agent = ticket.assignee
    reply_on_the_page(ticket, nairobi(2026, 11, 24, 10, 0))

    with time_machine.travel(nairobi(2026, 11, 24, 10, 30), tick=False):
        services.ticket_change_fields(
            ticket=ticket, by=agent, changes={"impact": factories.impact("critical")}
        )

    assert next_response(ticket).due_at == nairobi(2026, 11, 24, 12, 0)
    ticket.refresh_from_db()
    assert ticket.next_response_due_at == nairobi(2026, 11, 24, 12, 0)


# --- The portal and the reports ----------------------------------------------------


def test_the_requesters_page_shows_when_our_next_answer_is_due_in_the_hub_zone():
    ticket = answered_ticket(impact="critical")
    reply_on_the_page(ticket, nairobi(2026, 11, 24, 10, 0))

    with time_machine.travel(nairobi(2026, 11, 24, 10, 5), tick=False):
        page = Client().get(reverse("portal:ticket", kwargs={"token": ticket.token}))

    html = page.content.decode()
    assert 'data-testid="reply-due"' in html
    assert re.search(r"Tue 24 Nov (2026 )?12:00 EAT", html)  # Critical: two working hours
    assert "1 working day" not in html


def test_a_new_request_page_shows_its_first_response_due_time():
    with time_machine.travel(nairobi(2026, 11, 23, 9, 0), tick=False):
        ticket = services.ticket_create(
            requester_email="kofi@partner.example.org",
            subject="Export fails",
            channel="web",
            partner=factories.PartnerFactory(hub=factories.hub("east-africa")),
        )
        page = Client().get(reverse("portal:ticket", kwargs={"token": ticket.token}))

    assert "Our answer is due by <strong>Mon 23 Nov 17:00 EAT</strong>." in page.content.decode()


def test_the_home_page_states_each_impacts_targets_from_the_policies():
    SlaPolicy.objects.filter(impact=factories.impact("critical")).update(
        first_response_days=Decimal("0.5"), next_response_days=Decimal("0.25")
    )

    html = Client().get("/").content.decode()

    critical_row = html[html.index(">Critical<") :]
    critical_row = critical_row[: critical_row.index("</tr>")]
    assert "4 working hours" in critical_row
    assert "2 working hours" in critical_row
    assert "1 working day" in html  # Minor and Low keep the default


def test_reports_show_next_response_compliance_beside_first_response():
    on_time = answered_ticket()
    reply_on_the_page(on_time, nairobi(2026, 11, 24, 10, 0))
    with time_machine.travel(nairobi(2026, 11, 24, 11, 0), tick=False):
        services.ticket_reply(
            ticket=on_time, by=on_time.assignee, kind=MessageKind.REPLY, body="Done."
        )
    late = answered_ticket()
    reply_on_the_page(late, nairobi(2026, 11, 24, 10, 0))
    sla.sla_check(now=nairobi(2026, 11, 26, 10, 0))
    OutboxMessage.objects.all().delete()

    period = Period(start=date(2026, 11, 23), end=date(2026, 11, 29))
    with time_machine.travel(datetime(2026, 11, 30, 12, 0, tzinfo=UTC), tick=False):
        report = build_report(ReportFilters(period=period, values={}), desk_lists(None))
        manager = logged_in(factories.support_manager())
        page = manager.get("/reports/?start=2026-11-23&end=2026-11-29").content.decode()

    nr = report.next_response
    assert (nr.on_time, nr.late, nr.breached, nr.percent) == (1, 0, 1, 100.0)
    assert 'data-figure="next-response">100.0 %<' in page
    assert 'data-figure="sla"' in page  # first response, beside it
