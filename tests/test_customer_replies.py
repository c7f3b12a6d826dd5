"""A customer replies after our answer: the agent hears it once, the desk shows it, a clock runs."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from integrations.email.addresses import reply_address
from tests import factories
from tests.desk_helpers import deliver_all, logged_in, mails_to
from tests.email_helpers import PROCESSED, ingest, readdress, sample
from tests.fake_slack import ok_post, requests_to
from tickets import services, sla
from tickets.models import (
    Channel,
    MessageKind,
    OutboxMessage,
    SlaEvent,
    SlaEventKind,
    SlaTarget,
    StaffProfile,
    Status,
    Ticket,
)
from tickets.queues import QUEUES

pytestmark = pytest.mark.django_db

NAIROBI = ZoneInfo("Africa/Nairobi")
AGENT_EMAIL = "amina@support.example.org"


def nairobi(*args: int) -> datetime:
    return datetime(*args, tzinfo=NAIROBI)


def answered_ticket(*, impact: str = "minor", assigned: bool = True) -> Ticket:
    """Kofi's request from an East Africa partner, answered on Monday 23 November at 10:00.

    Our reply leaves it waiting on him; every mail of the morning is already sent.
    """
    agent = factories.l1_agent(username="amina", email=AGENT_EMAIL)
    StaffProfile.objects.get_or_create(user=agent, defaults={"hub": factories.hub("east-africa")})
    with time_machine.travel(nairobi(2026, 11, 23, 9, 0), tick=False):
        ticket = services.ticket_create(
            requester_email="kofi@partner.example.org",
            requester_name="Kofi Mensah",
            subject="Export of indicators fails",
            channel=Channel.WEB,
            description="The export spins forever.",
            partner=factories.PartnerFactory(hub=factories.hub("east-africa")),
            impact=factories.impact(impact),
        )
        if assigned:
            services.ticket_assign(ticket=ticket, assignee=agent, by=agent)
    with time_machine.travel(nairobi(2026, 11, 23, 10, 0), tick=False):
        services.ticket_reply(
            ticket=ticket, by=agent, kind=MessageKind.REPLY, body="Could you send the file?"
        )
    deliver_all()
    mail.outbox.clear()
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING
    return ticket


def reply_by_email(ticket: Ticket, at: datetime, message_id: str = "") -> None:
    headers = {"To": reply_address(ticket), "From": "Kofi <kofi@partner.example.org>"}
    if message_id:
        headers["Message-ID"] = message_id
    with time_machine.travel(at, tick=False):
        inbound = ingest(readdress(sample("reply-gmail.eml"), **headers))
    assert inbound.status == PROCESSED, inbound.reason


def reply_on_the_page(ticket: Ticket, at: datetime, body: str = "Here it is.") -> None:
    with time_machine.travel(at, tick=False):
        services.ticket_add_message(
            ticket=ticket, kind=MessageKind.CUSTOMER, body=body, requester=ticket.requester
        )


def next_response(ticket: Ticket):
    return ticket.sla_clocks.get(target=SlaTarget.NEXT_RESPONSE)


def notices(ticket: Ticket) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(ticket=ticket, payload__template="customer_replied"))


def row(ticket: Ticket) -> str:
    return f'id="row-{ticket.pk}"'


def needs_reply_html(agent_email: str = AGENT_EMAIL, at: datetime | None = None) -> str:
    agent = factories.l1_agent(username="amina", email=agent_email)
    with time_machine.travel(at or nairobi(2026, 11, 24, 10, 12), tick=False):
        response = logged_in(agent).get(reverse("desk:queue", kwargs={"queue": "needs_reply"}))
    assert response.status_code == 200
    return response.content.decode()


def test_customer_reply_by_email_to_a_waiting_ticket_tells_the_assignee_once_and_runs_the_clock():
    ticket = answered_ticket()

    reply_by_email(ticket, nairobi(2026, 11, 24, 10, 0))  # Tuesday 10:00 in Nairobi
    deliver_all()

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.customer_replied_at == nairobi(2026, 11, 24, 10, 0)
    [notice] = mails_to(AGENT_EMAIL)
    assert len(mail.outbox) == 1
    assert f"[{ticket.reference}] The customer replied" in notice.subject
    assert "Kofi Mensah" in notice.body
    assert re.search(r"Wed 25 Nov (2026 )?10:00 EAT", notice.body)  # in Amina's zone

    # One working day of the East Africa hub (09:00-17:00, Nairobi time) from the reply.
    clock = next_response(ticket)
    assert clock.started_at == nairobi(2026, 11, 24, 10, 0)
    assert clock.due_at == nairobi(2026, 11, 25, 10, 0)
    assert ticket.next_response_due_at == clock.due_at

    html = needs_reply_html()
    assert row(ticket) in html
    assert 'data-testid="customer-replied"' in html
    assert "customer replied 12\xa0minutes ago" in html

    for _check in range(2):
        sla.sla_check(now=nairobi(2026, 11, 25, 10, 1))
    breaches = SlaEvent.objects.filter(
        ticket=ticket, target=SlaTarget.NEXT_RESPONSE, kind=SlaEventKind.BREACHED
    )
    assert breaches.count() == 1
    assert OutboxMessage.objects.filter(ticket=ticket, payload__template="sla_breach").count() == 1
    mail.outbox.clear()
    deliver_all()
    [breach] = mails_to(AGENT_EMAIL)
    assert ticket.reference in breach.subject
    assert "Next response" in breach.subject


def test_the_ticket_page_reply_goes_the_same_way_as_an_email_reply():
    ticket = answered_ticket()
    token_url = reverse("portal:ticket", kwargs={"token": ticket.token})

    with time_machine.travel(nairobi(2026, 11, 24, 10, 0), tick=False):
        response = Client().post(token_url, {"body": "The file is attached now."})
    assert response.status_code == 302

    ticket.refresh_from_db()
    assert ticket.customer_replied_at == nairobi(2026, 11, 24, 10, 0)
    assert len(notices(ticket)) == 1
    assert next_response(ticket).due_at == nairobi(2026, 11, 25, 10, 0)


def test_five_replies_in_ten_minutes_are_one_notice_and_one_clock():
    ticket = answered_ticket()
    start = nairobi(2026, 11, 24, 10, 0)

    for minute in (0, 2, 4, 6, 9):
        reply_on_the_page(ticket, start + timedelta(minutes=minute), body=f"Detail {minute}")
    deliver_all()

    assert len(notices(ticket)) == 1
    assert len(mails_to(AGENT_EMAIL)) == 1
    ticket.refresh_from_db()
    assert ticket.customer_replied_at == start + timedelta(minutes=9)  # the latest
    # The clock runs from the first of them: later messages do not restart it.
    assert next_response(ticket).started_at == start
    started = SlaEvent.objects.filter(
        ticket=ticket, target=SlaTarget.NEXT_RESPONSE, kind=SlaEventKind.STARTED
    )
    assert started.count() == 1

    reply_on_the_page(ticket, start + timedelta(minutes=25), body="Anyone there?")
    assert len(notices(ticket)) == 2  # a new burst, a new notice


def test_the_same_email_delivered_twice_is_one_message_and_one_notice():
    ticket = answered_ticket()

    reply_by_email(ticket, nairobi(2026, 11, 24, 10, 0), message_id="<same@mail.example>")
    reply_by_email(ticket, nairobi(2026, 11, 24, 10, 1), message_id="<same@mail.example>")
    deliver_all()
    deliver_all()

    assert ticket.messages.filter(kind=MessageKind.CUSTOMER).count() == 2  # request + reply
    assert len(notices(ticket)) == 1
    assert len(mails_to(AGENT_EMAIL)) == 1


def test_a_reply_on_an_unassigned_ticket_goes_to_the_team_address(settings):
    settings.SUPPORT_TEAM_EMAIL = "support-team@example.org"
    ticket = answered_ticket(assigned=False)

    reply_by_email(ticket, nairobi(2026, 11, 24, 10, 0))
    deliver_all()

    assert len(mails_to("support-team@example.org")) == 1
    assert mails_to(AGENT_EMAIL) == []


def test_without_a_team_address_every_l1_agent_hears_of_an_unassigned_reply(settings):
    settings.SUPPORT_TEAM_EMAIL = ""
    ticket = answered_ticket(assigned=False)
    factories.l1_agent(username="baraka", email="baraka@support.example.org")

    reply_by_email(ticket, nairobi(2026, 11, 24, 10, 0))
    deliver_all()

    [notice] = mail.outbox
    assert sorted(notice.to) == [AGENT_EMAIL, "baraka@support.example.org"]


def test_a_critical_customer_reply_posts_one_slack_message(slack):
    slack.expect_request("/chat.postMessage", method="POST").respond_with_json(ok_post())
    ticket = answered_ticket(impact="critical")  # its "new urgent" alert is posted here

    for minute in (0, 3, 6):
        reply_on_the_page(ticket, nairobi(2026, 11, 24, 10, minute))
    deliver_all()

    posts = requests_to(slack, "chat.postMessage")
    replied = [p for p in posts if "Customer replied" in p.get_data(as_text=True)]
    assert len(replied) == 1
    assert ticket.reference in replied[0].get_data(as_text=True)
    # Critical: the next reply is due two working hours after the first message.
    assert next_response(ticket).due_at == nairobi(2026, 11, 24, 12, 0)


def test_a_minor_customer_reply_does_not_alert_slack():
    ticket = answered_ticket(impact="minor")

    reply_on_the_page(ticket, nairobi(2026, 11, 24, 10, 0))

    assert not OutboxMessage.objects.filter(
        ticket=ticket, kind="slack_alert", payload__event="customer_replied"
    ).exists()


def test_our_public_reply_meets_the_clock_and_takes_the_ticket_out_of_needs_reply():
    ticket = answered_ticket()
    agent = ticket.assignee
    reply_on_the_page(ticket, nairobi(2026, 11, 24, 10, 0))

    with time_machine.travel(nairobi(2026, 11, 24, 15, 0), tick=False):
        services.ticket_reply(ticket=ticket, by=agent, kind=MessageKind.REPLY, body="Fixed.")

    ticket.refresh_from_db()
    assert ticket.customer_replied_at is None
    assert ticket.last_public_reply_at == nairobi(2026, 11, 24, 15, 0)
    assert ticket.next_response_due_at is None
    clock = next_response(ticket)
    assert clock.met_at == nairobi(2026, 11, 24, 15, 0)
    met = SlaEvent.objects.get(ticket=ticket, target=SlaTarget.NEXT_RESPONSE, kind="met")
    assert met.note == "on time"
    assert row(ticket) not in needs_reply_html(at=nairobi(2026, 11, 24, 15, 5))
    sla.sla_check(now=nairobi(2026, 11, 30, 10, 0))
    assert not SlaEvent.objects.filter(ticket=ticket, kind=SlaEventKind.BREACHED).exists()


def test_an_internal_note_does_not_stop_the_clock_or_clear_the_mark():
    ticket = answered_ticket()
    agent = ticket.assignee
    reply_on_the_page(ticket, nairobi(2026, 11, 24, 10, 0))

    with time_machine.travel(nairobi(2026, 11, 24, 11, 0), tick=False):
        services.ticket_reply(ticket=ticket, by=agent, kind=MessageKind.NOTE, body="Checking.")

    ticket.refresh_from_db()
    assert ticket.customer_replied_at == nairobi(2026, 11, 24, 10, 0)
    assert next_response(ticket).met_at is None
    assert row(ticket) in needs_reply_html(at=nairobi(2026, 11, 24, 11, 5))


def test_a_message_before_our_first_answer_is_part_of_the_request_not_a_reply():
    with time_machine.travel(nairobi(2026, 11, 23, 9, 0), tick=False):
        ticket = services.ticket_create(
            requester_email="kofi@partner.example.org",
            subject="Export fails",
            channel=Channel.WEB,
            partner=factories.PartnerFactory(hub=factories.hub("east-africa")),
        )
    reply_on_the_page(ticket, nairobi(2026, 11, 23, 9, 30), body="One more detail.")

    ticket.refresh_from_db()
    assert ticket.customer_replied_at is None
    assert not ticket.sla_clocks.filter(target=SlaTarget.NEXT_RESPONSE).exists()
    assert notices(ticket) == []


def test_a_reply_that_reopens_a_resolved_ticket_starts_a_next_response_clock():
    ticket = answered_ticket()
    agent = ticket.assignee
    with time_machine.travel(nairobi(2026, 11, 23, 11, 0), tick=False):
        services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, by=agent)

    reply_on_the_page(ticket, nairobi(2026, 11, 24, 10, 0), body="It is broken again.")

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert next_response(ticket).due_at == nairobi(2026, 11, 25, 10, 0)
    assert row(ticket) in needs_reply_html()


def test_the_workspace_header_shows_the_marker():
    ticket = answered_ticket()
    reply_on_the_page(ticket, nairobi(2026, 11, 24, 10, 0))
    agent = ticket.assignee

    with time_machine.travel(nairobi(2026, 11, 24, 10, 12), tick=False):
        response = logged_in(agent).get(reverse("desk:ticket", kwargs={"ticket_id": ticket.pk}))

    html = response.content.decode()
    header = html[html.index("desk-ticket-header") : html.index("</header>")]
    assert 'data-testid="customer-replied"' in header
    assert "customer replied 12\xa0minutes ago" in header


def test_needs_reply_reads_its_own_small_index_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("partial-index plans are what this proves; SQLite plans differ")
    ticket = answered_ticket()
    reply_on_the_page(ticket, nairobi(2026, 11, 24, 10, 0))
    needs_reply = QUEUES["needs_reply"].tickets(ticket.assignee, nairobi(2026, 11, 24, 10, 5))
    first_page = needs_reply.filter(next_response_due_at__isnull=False).order_by(
        "next_response_due_at", "id"
    )[:51]

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: ask what it could use
        plan = first_page.explain()

    assert "ticket_needs_reply_due" in plan
    assert list(first_page) == [ticket]
