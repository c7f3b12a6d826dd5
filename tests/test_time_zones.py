"""Everyone reads times in their own zone, named: agents in theirs, requesters in their hub's."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.desk_helpers import deliver_all, logged_in, mails_to, ticket_from
from tests.unchanged import nothing_changes
from tickets import sla
from tickets.models import Channel, SlaTarget, StaffProfile, Ticket
from tickets.time_zones import format_zoned, staff_zone

pytestmark = pytest.mark.django_db

NAIROBI = ZoneInfo("Africa/Nairobi")
# Monday 7 December 2026, mid-morning in Nairobi.
MONDAY_MORNING_IN_NAIROBI = datetime(2026, 12, 7, 11, 0, tzinfo=NAIROBI)
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def agent_in(*, hub: str | None = None, time_zone: str = "", **kwargs):
    agent = factories.l1_agent(**kwargs)
    StaffProfile.objects.create(
        user=agent, hub=factories.hub(hub) if hub else None, time_zone=time_zone
    )
    return agent


def phoned_in(client, received_at: str, **fields):
    return client.post(
        reverse("desk:log_ticket"),
        {
            "requester_email": "wanjiku@partner.example.org",
            "requester_name": "Wanjiku Kamau",
            "hub": factories.hub("east-africa").pk,
            "channel": Channel.PHONE,
            "received_at": received_at,
            "subject": "Dashboard export fails",
            "description": "Wanjiku called: the export fails since this morning.",
            **fields,
        },
    )


@time_machine.travel(MONDAY_MORNING_IN_NAIROBI, tick=False)
def test_a_nairobi_agent_logs_a_call_at_0930_local_and_the_clock_starts_at_0630_utc():
    agent = agent_in(hub="east-africa")
    form = logged_in(agent).get(reverse("desk:log_ticket")).content.decode()
    assert "In EAT (Africa/Nairobi), your time zone." in form

    response = phoned_in(logged_in(agent), "2026-12-07T09:30")

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert ticket.received_at == datetime(2026, 12, 7, 6, 30, tzinfo=UTC)
    clock = ticket.sla_clocks.get(target=SlaTarget.FIRST_RESPONSE)
    assert clock.started_at == datetime(2026, 12, 7, 6, 30, tzinfo=UTC)
    workspace = logged_in(agent).get(response["Location"]).content.decode()
    assert "client reached out Mon 7 Dec 09:30 EAT" in workspace
    assert f"due {format_zoned(clock.due_at, NAIROBI)}" in workspace
    assert " EAT" in format_zoned(clock.due_at, NAIROBI)
    # The client is told the same time, in their hub's zone.
    deliver_all()
    [ack] = mails_to("wanjiku@partner.example.org")
    assert "You first reached out on Mon 7 Dec 09:30 EAT." in ack.body


@time_machine.travel(MONDAY_MORNING_IN_NAIROBI, tick=False)
def test_an_agent_in_amsterdam_reads_the_same_ticket_in_their_own_time():
    ticket = ticket_from(partner=factories.PartnerFactory(hub=factories.hub("east-africa")))
    agent = agent_in(hub="europe")
    html = logged_in(agent).get(reverse("desk:ticket", args=[ticket.pk])).content.decode()
    assert "Mon 7 Dec 09:00 CET" in html  # created 11:00 in Nairobi
    assert "EAT" not in html


def test_an_agent_reads_times_in_their_own_zone_else_their_hubs_else_the_desk_default(settings):
    settings.DESK_DEFAULT_TIME_ZONE = "America/Bogota"
    assert staff_zone(agent_in(hub="east-africa")) == NAIROBI
    assert staff_zone(agent_in(hub="east-africa", time_zone="Asia/Jakarta")).key == "Asia/Jakarta"
    assert staff_zone(agent_in()).key == "America/Bogota"
    assert staff_zone(factories.l1_agent()).key == "America/Bogota"  # no profile at all


def test_an_agent_chooses_their_time_zone_on_their_profile_page():
    agent = factories.l1_agent()
    client = logged_in(agent)
    page = client.get(reverse("desk:profile"))
    assert page.status_code == 200
    assert 'id="nav-profile"' in page.content.decode()

    response = client.post(
        reverse("desk:profile"),
        {"time_zone": "", "hub": factories.hub("east-africa").pk},
        follow=True,
    )
    assert "Times are now shown in EAT (Africa/Nairobi)." in response.content.decode()
    assert agent.staff_profile.hub.slug == "east-africa"

    client.post(reverse("desk:profile"), {"time_zone": "Asia/Jakarta", "hub": ""})
    assert StaffProfile.objects.get(user=agent).time_zone == "Asia/Jakarta"
    assert "WIB (Asia/Jakarta)" in client.get(reverse("desk:profile")).content.decode()


def test_an_unknown_time_zone_on_the_profile_page_is_refused_and_nothing_changes():
    client = logged_in(agent_in(hub="east-africa"))
    with nothing_changes():
        response = client.post(reverse("desk:profile"), {"time_zone": "Moon/Base", "hub": ""})
    assert response.status_code == 400
    assert "is not a known time zone" in response.content.decode()


@time_machine.travel(datetime(2027, 4, 1, 10, 0, tzinfo=UTC), tick=False)
def test_a_berlin_agent_typing_a_time_the_clocks_skipped_gets_a_clear_error_and_nothing_is_logged():
    client = logged_in(agent_in(time_zone="Europe/Berlin"))
    with nothing_changes():
        response = phoned_in(client, "2027-03-28T02:30")  # clocks jump from 02:00 to 03:00
    assert response.status_code == 400
    html = response.content.decode()
    assert "2027-03-28 02:30 does not exist in CEST (Europe/Berlin)" in html
    assert "Dashboard export fails" in html  # what was typed is kept

    with nothing_changes():
        response = phoned_in(client, "2026-10-25T02:30")  # clocks go back: 02:30 happens twice
    assert "2026-10-25 02:30 happened twice in CEST (Europe/Berlin)" in response.content.decode()


def warned(ticket):
    clock = ticket.sla_clocks.get(target=SlaTarget.FIRST_RESPONSE)
    assert sla.sla_check(now=clock.warn_at + timedelta(minutes=1)).warned == 1
    deliver_all()
    return clock


@time_machine.travel(MONDAY_MORNING_IN_NAIROBI, tick=False)
def test_the_sla_warning_tells_the_assignee_the_due_time_in_their_own_zone_not_an_iso_string():
    agent = agent_in(time_zone="Europe/Amsterdam", email="joost@support.example.org")
    ticket = ticket_from(partner=factories.PartnerFactory(hub=factories.hub("east-africa")))
    Ticket.objects.filter(pk=ticket.pk).update(assignee=agent)

    clock = warned(ticket)

    [email] = mails_to("joost@support.example.org")
    amsterdam = clock.due_at.astimezone(ZoneInfo("Europe/Amsterdam"))
    assert f"Due: {amsterdam:%a} {amsterdam.day} {amsterdam:%b %H:%M} CET" in email.body
    assert not ISO_TIME.search(email.body)
    assert "+00:00" not in email.alternatives[0][0]


@time_machine.travel(MONDAY_MORNING_IN_NAIROBI, tick=False)
def test_the_team_address_hears_of_an_unassigned_ticket_in_the_hubs_zone(settings):
    settings.SUPPORT_TEAM_EMAIL = "support@example.org"
    ticket = ticket_from(partner=factories.PartnerFactory(hub=factories.hub("east-africa")))

    clock = warned(ticket)

    [email] = mails_to("support@example.org")
    assert f"Due: {format_zoned(clock.due_at, NAIROBI)}" in email.body
    assert format_zoned(clock.due_at, NAIROBI).endswith(" EAT")


@time_machine.travel(MONDAY_MORNING_IN_NAIROBI, tick=False)
def test_the_requester_reads_their_ticket_page_in_their_hubs_zone():
    ticket = ticket_from(partner=factories.PartnerFactory(hub=factories.hub("east-africa")))
    html = logged_in(agent_in(hub="europe")).get(
        reverse("portal:ticket", kwargs={"token": ticket.token})
    )
    assert "Mon 7 Dec 11:00 EAT" in html.content.decode()  # even when staff open it

    no_hub = ticket_from("kim@unknown.example.org", partner=None)
    assert no_hub.hub is None
    page = logged_in(agent_in(hub="europe")).get(
        reverse("portal:ticket", kwargs={"token": no_hub.token})
    )
    assert "Mon 7 Dec 08:00 UTC" in page.content.decode()  # SLA_DEFAULT_TIME_ZONE


def test_times_name_their_zone_even_where_it_has_no_abbreviation():
    moment = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        assert format_zoned(moment, "Africa/Nairobi") == "Mon 7 Dec 09:30 EAT"
        assert format_zoned(moment, "Asia/Dubai") == "Mon 7 Dec 10:30 Asia/Dubai"
        assert format_zoned(moment, "Etc/GMT-3") == "Mon 7 Dec 09:30 UTC+03:00"
        assert format_zoned(moment - timedelta(days=365), "UTC") == "Sun 7 Dec 2025 06:30 UTC"
        with timezone.override(ZoneInfo("America/Bogota")):
            assert format_zoned(moment) == "Mon 7 Dec 01:30 America/Bogota"


def queue_queries(agent) -> int:
    client = logged_in(agent)
    url = reverse("desk:queue", kwargs={"queue": "all"})
    client.get(url)  # a warm session, as for an agent at work
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_reading_the_queue_in_ones_own_zone_costs_no_extra_query():
    factories.TicketFactory.create_batch(5)
    assert queue_queries(agent_in(hub="east-africa", time_zone="Asia/Jakarta")) == queue_queries(
        factories.l1_agent()
    )


def test_a_manager_sets_an_agents_time_zone_in_the_back_office_but_not_their_account():
    agent = factories.l1_agent()
    client = logged_in(factories.support_manager())

    response = client.post(
        reverse("admin:tickets_staffprofile_add"),
        {"user": agent.pk, "time_zone": "Africa/Nairobi", "hub": factories.hub("europe").pk},
    )

    assert response.status_code == 302
    assert staff_zone(User.objects.get(pk=agent.pk)) == NAIROBI  # their own zone beats the hub's
    assert client.get(reverse("admin:auth_user_change", args=[agent.pk])).status_code == 403


def test_a_superuser_finds_the_time_zone_inline_on_each_user():
    agent = agent_in(time_zone="Africa/Nairobi")
    client = logged_in(factories.support_manager(is_superuser=True))
    page = client.get(reverse("admin:auth_user_change", args=[agent.pk])).content.decode()
    assert 'name="staff_profile-0-time_zone"' in page
    assert '<option value="Africa/Nairobi" selected>' in page


def test_a_manager_reads_the_breached_tickets_table_in_their_own_zone():
    with time_machine.travel(MONDAY_MORNING_IN_NAIROBI, tick=False):
        ticket = ticket_from(partner=factories.PartnerFactory(hub=factories.hub("east-africa")))
    clock = ticket.sla_clocks.get(target=SlaTarget.FIRST_RESPONSE)
    assert sla.sla_check(now=clock.due_at + timedelta(minutes=1)).breached == 1
    manager = factories.support_manager()
    StaffProfile.objects.create(user=manager, time_zone="Asia/Jakarta")

    with time_machine.travel(clock.due_at + timedelta(hours=1), tick=False):
        page = logged_in(manager).get(
            reverse("reports:dashboard"), {"start": "2026-12-01", "end": "2026-12-31"}
        )
        due = format_zoned(clock.due_at, "Asia/Jakarta")

    assert due.endswith(" WIB")
    assert f"<td>{due}</td>" in page.content.decode()


def test_the_queue_and_report_date_filters_say_which_zone_their_days_are_in():
    agent = agent_in(hub="east-africa")
    manager = factories.support_manager()
    StaffProfile.objects.create(user=manager, time_zone="Asia/Jakarta")

    queue = logged_in(agent).get(reverse("desk:queue", kwargs={"queue": "all"})).content.decode()
    report = logged_in(manager).get(reverse("reports:dashboard")).content.decode()

    assert "Dates in EAT (Africa/Nairobi)" in queue
    assert "Days in WIB (Asia/Jakarta)" in report
