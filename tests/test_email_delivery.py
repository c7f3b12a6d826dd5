"""Acknowledgements and replies leave through the outbox as threaded, labelled email."""

import pytest
from django.core import mail

from tests import factories
from tickets import outbox, services
from tickets.models import Channel, MessageKind, OutboxMessage, OutboxStatus
from tickets.templatetags.sla_promises import hub_time

pytestmark = pytest.mark.django_db


def deliver_all() -> None:
    for row_id in (
        OutboxMessage.objects.filter(status="pending").order_by("pk").values_list("pk", flat=True)
    ):
        outbox.outbox_deliver_row(row_id)


def new_ticket(**overrides):
    fields = {
        "requester_email": "kofi@partner.example.org",
        "requester_name": "Kofi Mensah",
        "subject": "Can't export project results & indicators",
        "channel": Channel.WEB,
        "product": factories.product("akvo-rsr"),
    }
    return services.ticket_create(**(fields | overrides))


def test_the_requester_gets_an_automatic_acknowledgement_with_the_reference():
    ticket = new_ticket()
    deliver_all()

    [email] = mail.outbox
    assert email.to == ["kofi@partner.example.org"]
    assert email.subject == f"[{ticket.reference}] We received your support request"
    assert "Hello," in email.body
    # Sent to an address nobody verified: nothing the sender wrote is echoed (issue 4).
    assert "Can't export" not in email.body
    assert "Kofi" not in email.body
    assert "Product: Akvo RSR" in email.body
    assert f"/t/{ticket.token}/" in email.body
    ticket.refresh_from_db()
    assert f"answer by {hub_time(ticket.first_response_due_at, ticket.hub)}." in email.body
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"
    assert email.extra_headers["X-Helpdesk-Ticket"] == ticket.reference
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert f"<strong>{ticket.reference}</strong>" in html
    assert OutboxMessage.objects.get().status == OutboxStatus.DELIVERED


def test_a_client_who_phoned_is_told_a_ticket_was_logged_and_we_follow_up_by_email():
    new_ticket(channel=Channel.PHONE, by=factories.l1_agent())
    deliver_all()
    [email] = mail.outbox
    assert "We logged a support ticket for you" in email.subject
    assert "follow up with you by email" in email.body


def test_a_public_reply_is_mailed_in_the_tickets_thread_and_not_marked_automatic():
    ticket = new_ticket()
    agent = factories.l1_agent()
    services.ticket_add_message(
        ticket=ticket, kind=MessageKind.REPLY, body="Try the CSV export <b>meanwhile</b>.", by=agent
    )
    deliver_all()

    ack, reply = mail.outbox
    assert reply.subject == f"Re: [{ticket.reference}] {ticket.subject}"
    assert "Try the CSV export <b>meanwhile</b>." in reply.body
    assert "Auto-Submitted" not in reply.extra_headers
    assert reply.extra_headers["References"] == ack.extra_headers["References"]
    assert reply.extra_headers["Message-ID"] != ack.extra_headers["Message-ID"]
    html = reply.alternatives[0][0]
    assert "&lt;b&gt;meanwhile&lt;/b&gt;" in html  # what people type is never raw HTML


def test_a_retried_email_keeps_its_message_id(handlers):
    new_ticket()
    row = OutboxMessage.objects.get()
    first_id = outbox_message_id(row)
    assert outbox_message_id(row) == first_id


def outbox_message_id(row):
    from integrations.email.handlers import build_email

    return build_email(row).extra_headers["Message-ID"]


def test_a_mail_server_failure_keeps_the_email_for_a_retry(settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},
        }
    }
    new_ticket()
    deliver_all()
    row = OutboxMessage.objects.get()
    assert row.status == OutboxStatus.PENDING
    assert row.attempts == 1
    assert "Connection refused" in row.last_error or "ConnectionRefused" in row.last_error
