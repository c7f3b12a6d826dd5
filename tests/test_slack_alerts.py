"""Which ticket events queue a Slack alert: the hooks in tickets (SLA check, urgent impacts)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests import factories
from tickets import services, sla
from tickets.models import Channel, OutboxMessage

pytestmark = pytest.mark.django_db

NAIROBI = ZoneInfo("Africa/Nairobi")


def test_sla_warnings_and_breaches_alert_the_channel_once_each_next_to_the_emails():
    partner = factories.PartnerFactory(hub=factories.hub("east-africa"))
    agent = factories.l1_agent()
    ticket = services.ticket_create(
        requester_email="wanjiku@partner.example.org",
        subject="Dashboard export fails",
        channel=Channel.PHONE,
        partner=partner,
        received_at=datetime(2026, 11, 20, 16, 0, tzinfo=NAIROBI),
        by=agent,
    )
    late = datetime(2026, 11, 23, 16, 5, tzinfo=NAIROBI)

    sla.sla_check(now=late.replace(hour=14, minute=1))  # three quarters of the window
    sla.sla_check(now=late)
    sla.sla_check(now=late.replace(minute=6))

    alerts = OutboxMessage.objects.filter(kind="slack_alert", ticket=ticket).order_by("pk")
    assert [(a.payload["event"], a.payload["detail"]) for a in alerts] == [
        ("sla_warning", "First response due 2026-11-23 16:00 EAT"),
        ("sla_breach", "First response overdue since 2026-11-23 16:00 EAT"),
    ]
    assert OutboxMessage.objects.filter(kind="email", payload__template="sla_breach").count() == 1


def test_a_new_critical_ticket_queues_one_alert_in_the_same_transaction():
    ticket = services.ticket_create(
        requester_email="a@partner.example.org",
        subject="Everything is down",
        channel=Channel.SLACK,
        impact=factories.impact("critical"),
        submission_key="k1",
    )
    services.ticket_create(  # the same submission again: no second ticket, no second alert
        requester_email="a@partner.example.org",
        subject="Everything is down",
        channel=Channel.SLACK,
        impact=factories.impact("critical"),
        submission_key="k1",
    )
    [alert] = OutboxMessage.objects.filter(kind="slack_alert")
    assert alert.ticket == ticket
    assert alert.key == f"slack_alert:new_urgent:{ticket.pk}"
    assert alert.payload == {
        "ticket_id": ticket.pk,
        "event": "new_urgent",
        "detail": "New ticket (Slack)",
    }


def test_changes_recorded_without_notifying_raise_no_alert():
    ticket = services.ticket_create(
        requester_email="a@partner.example.org", subject="Old request", channel=Channel.EMAIL
    )
    services.ticket_change_fields(
        ticket=ticket, by=None, changes={"impact": factories.impact("critical")}, notify=False
    )
    assert not OutboxMessage.objects.filter(kind="slack_alert").exists()
