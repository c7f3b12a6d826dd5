"""Bulk actions on a queue selection, tickets logged for clients, and auto-close after N days."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.desk_helpers import deliver_all, logged_in, mails_to, ticket_from
from tickets import services, tasks
from tickets.models import (
    Channel,
    EventKind,
    Message,
    MessageKind,
    Status,
    Ticket,
    TicketEvent,
)

pytestmark = pytest.mark.django_db


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def selected(*tickets: Ticket) -> list[str]:
    return [f"{t.pk}:{fresh(t).version}" for t in tickets]


def test_an_agent_assigns_and_tags_a_selection_in_bulk_each_change_in_history():
    agent, colleague = factories.l1_agent(), factories.l1_agent()
    first, second = ticket_from(subject="One"), ticket_from(subject="Two")
    client = logged_in(agent)
    queue = reverse("desk:queue", kwargs={"queue": "new"})

    response = client.post(
        reverse("desk:bulk"),
        {"action": "assign", "assignee": colleague.pk, "selected": selected(first, second),
         "next": queue},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == queue
    assert {fresh(first).assignee, fresh(second).assignee} == {colleague}
    tag = factories.issue_tag("data-export")
    client.post(
        reverse("desk:bulk"),
        {"action": "add_tags", "tags": [tag.pk], "selected": selected(first, second)},
    )
    assert list(fresh(first).issue_tags.all()) == [tag]
    assert TicketEvent.objects.filter(kind=EventKind.TAGS, actor=agent).count() == 2
    client.post(
        reverse("desk:bulk"),
        {"action": "impact", "impact": factories.impact("critical").pk,
         "selected": selected(first, second)},
    )  # fmt: skip
    assert fresh(second).impact.slug == "critical"


def test_bulk_close_skips_stale_rows_and_reports_what_the_workflow_refuses():
    agent = factories.l1_agent()
    plain, stale, escalated = ticket_from(), ticket_from(), ticket_from()
    selection = selected(plain, stale, escalated)
    services.ticket_assign(ticket=stale, assignee=agent, by=agent)  # changed after listing
    services.ticket_mark_escalated(ticket=escalated, by=agent)
    selection[2] = f"{escalated.pk}:{fresh(escalated).version}"

    result = services.tickets_bulk_update(
        selection=dict(map(int, s.split(":")) for s in selection), action="close", by=agent
    )

    assert result.changed == [plain.reference]
    assert result.stale == [stale.reference]
    assert [ref for ref, _why in result.refused] == [escalated.reference]
    assert fresh(plain).status == Status.CLOSED
    assert fresh(stale).status == Status.NEW
    assert fresh(escalated).status == Status.ESCALATED

    response = logged_in(agent).post(
        reverse("desk:bulk"), {"action": "resolve", "selected": selected(stale)}, follow=True
    )
    assert fresh(stale).status == Status.RESOLVED
    assert "Changed 1 ticket(s)" in response.content.decode()


def test_an_agent_logs_a_ticket_for_a_client_who_phoned_and_the_client_is_emailed():
    agent = factories.l1_agent(first_name="Wanjiru")
    partner = factories.PartnerFactory(hub=factories.hub("west-africa"))
    reached_out = (timezone.now() - timedelta(hours=5)).replace(second=0, microsecond=0)
    client = logged_in(agent)
    flow, rsr = factories.product("akvo-flow"), factories.product("akvo-rsr")
    page = client.get(reverse("desk:log_ticket"))
    assert page.status_code == 200
    # The same product-specific fields as the Contact Us form, for each product.
    assert f'name="pd_{flow.pk}_imei"' in page.content.decode()
    assert f'name="pd_{rsr.pk}_project"' in page.content.decode()

    response = client.post(
        reverse("desk:log_ticket"),
        {
            "requester_email": "kofi@partner.example.org",
            "requester_name": "Kofi Mensah",
            "partner": partner.pk,
            "channel": Channel.PHONE,
            "received_at": timezone.localtime(reached_out).strftime("%Y-%m-%dT%H:%M"),
            "product": flow.pk,
            "category": factories.category("bug").pk,
            "impact": factories.impact("significant").pk,
            "tags": [factories.issue_tag("data-export").pk],
            "subject": "Cannot export the water point survey",
            "description": "Kofi called: the export has failed since Monday.",
            f"pd_{flow.pk}_survey": "Water points 2026",
            f"pd_{flow.pk}_imei": "356938035643809",
            f"pd_{rsr.pk}_project": "typed for the wrong product, not kept",
            "env_computer": "Chrome 140 on Windows 11",
            "env_app_version": "2.19.1",
        },
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:ticket", kwargs={"ticket_id": ticket.pk})
    assert ticket.channel == Channel.PHONE
    assert ticket.created_by == agent
    assert ticket.received_at == reached_out
    assert ticket.hub.slug == "west-africa"
    assert ticket.impact.slug == "significant"
    assert [t.slug for t in ticket.issue_tags.all()] == ["data-export"]
    assert ticket.product_details == {"survey": "Water points 2026", "imei": "356938035643809"}
    assert ticket.environment == {
        "computer_browser": "Chrome 140 on Windows 11",
        "app_version": "2.19.1",
    }
    deliver_all()
    [email] = mails_to("kofi@partner.example.org")
    assert ticket.reference in email.subject
    assert "follow up with you by email" in email.body


def test_logging_a_ticket_with_bad_input_keeps_what_was_typed():
    agent = factories.l1_agent()
    response = logged_in(agent).post(
        reverse("desk:log_ticket"),
        {
            "requester_email": "not an address",
            "channel": "carrier-pigeon",
            "received_at": (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "subject": "Export broken",
            "description": "Told me on Slack.",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Export broken" in html
    assert "Told me on Slack." in html
    assert "cannot be in the future" in html
    assert not Ticket.objects.exists()
    assert not mail.outbox


def test_resolved_tickets_close_by_themselves_after_the_configured_days_without_a_reply(settings):
    settings.AUTO_CLOSE_DAYS = 7
    agent = factories.l1_agent()
    now = timezone.now()
    quiet = ticket_from(subject="Quiet")
    recent = ticket_from(subject="Resolved yesterday")
    reopened = ticket_from(subject="Customer wrote back")
    for ticket in (quiet, recent, reopened):
        services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, by=agent)
    # Resolved eight days ago, after the conversation.
    Message.objects.filter(ticket__in=[quiet, reopened]).update(created_at=now - timedelta(days=9))
    Ticket.objects.filter(pk__in=[quiet.pk, reopened.pk]).update(
        resolved_at=now - timedelta(days=8)
    )
    Ticket.objects.filter(pk=recent.pk).update(resolved_at=now - timedelta(days=1))
    services.ticket_add_message(ticket=reopened, kind="customer", body="Not fixed.")

    assert tasks.tickets_auto_close() == 1
    assert fresh(quiet).status == Status.CLOSED
    assert fresh(recent).status == Status.RESOLVED
    assert fresh(reopened).status == Status.NEW  # resolved untriaged: back to triage
    event = TicketEvent.objects.filter(ticket=quiet, kind=EventKind.STATUS).last()
    assert event.new_value == "Closed"
    assert event.actor is None
    assert fresh(quiet).messages.filter(kind=MessageKind.EVENT).exists()
    # Safe to run twice.
    assert services.tickets_auto_close().closed == 0


def test_auto_close_works_through_many_tickets_in_batches():
    agent = factories.l1_agent()
    tickets = [ticket_from(subject=f"T{n}") for n in range(5)]
    for ticket in tickets:
        services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, by=agent)
    Message.objects.update(created_at=timezone.now() - timedelta(days=31))
    Ticket.objects.update(resolved_at=timezone.now() - timedelta(days=30))
    result = services.tickets_auto_close(days=7, batch_size=2)
    assert result.closed == 5
    assert set(Ticket.objects.values_list("status", flat=True)) == {Status.CLOSED}
