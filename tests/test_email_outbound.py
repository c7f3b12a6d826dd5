"""Mail out: threaded, labelled, answerable by its reply address, status news that matters
to the requester, and one real SMTP conversation on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core import mail

from integrations.email.addresses import reply_address
from integrations.email.handlers import ticket_thread_id
from tests import factories
from tests.email_helpers import ingest, readdress, sample
from tests.polling import LONG_TEST_TIMEOUT, wait_for
from tests.test_email_delivery import deliver_all, new_ticket
from tickets import services
from tickets.models import MessageKind, OutboxMessage, OutboxStatus, Status
from tickets.outbox import outbox_add

pytestmark = pytest.mark.django_db


def templates() -> list[str]:
    return list(OutboxMessage.objects.order_by("pk").values_list("payload__template", flat=True))


def test_mail_to_the_requester_carries_the_tickets_reply_address():
    ticket = new_ticket()
    deliver_all()
    [ack] = mail.outbox
    assert ack.reply_to == [f"Support <{reply_address(ticket)}>"]
    assert reply_address(ticket).startswith(f"support+{ticket.pk}-")
    assert ticket.token not in reply_address(ticket)  # the portal key never travels in headers
    assert ack.extra_headers["X-Auto-Response-Suppress"] == "All"


def test_the_reply_address_follows_the_configured_pattern(settings):
    settings.EMAIL_REPLY_ADDRESS = "reply-{key}@mail.example.org"
    ticket = new_ticket()
    assert reply_address(ticket).startswith(f"reply-{ticket.pk}-")
    assert reply_address(ticket).endswith("@mail.example.org")


def test_an_answer_to_a_requesters_email_is_in_reply_to_that_email():
    ticket = new_ticket()
    raw = readdress(
        sample("reply-gmail.eml"), To=reply_address(ticket), From=ticket.requester.email
    )
    inbound = ingest(raw)
    agent = factories.l1_agent()
    services.ticket_add_message(ticket=ticket, kind=MessageKind.REPLY, body="Fixed.", by=agent)
    deliver_all()

    reply = mail.outbox[-1]
    assert reply.extra_headers["In-Reply-To"] == inbound.message_id
    assert reply.extra_headers["References"] == (f"{ticket_thread_id(ticket)} {inbound.message_id}")
    assert reply.subject == f"Re: [{ticket.reference}] {ticket.subject}"


def test_a_reply_that_leaves_the_ticket_waiting_says_so_in_the_same_mail():
    ticket = new_ticket()
    agent = factories.l1_agent()
    services.ticket_reply(
        ticket=ticket,
        by=agent,
        kind=MessageKind.REPLY,
        body="Which browser?",
        expected_version=None,
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING
    assert templates() == ["ticket_created", "public_reply"]  # no second mail
    deliver_all()
    reply = mail.outbox[-1]
    assert "Which browser?" in reply.body
    assert "We are waiting for your answer" in reply.body
    assert "Auto-Submitted" not in reply.extra_headers  # a person wrote it


def test_send_and_resolve_tells_the_requester_it_is_resolved_in_the_reply(settings):
    settings.AUTO_CLOSE_DAYS = 7
    ticket = new_ticket()
    services.ticket_reply(
        ticket=ticket,
        by=factories.l1_agent(),
        kind=MessageKind.REPLY,
        body="Fixed in 2.3.",
        then_status=Status.RESOLVED,
    )
    deliver_all()
    assert templates() == ["ticket_created", "public_reply"]
    assert "within 7 days and it opens again" in mail.outbox[-1].body


def test_status_changes_without_a_reply_are_mailed_on_their_own():
    ticket = new_ticket()
    agent = factories.l1_agent()
    services.ticket_change_status(ticket=ticket, status=Status.WAITING, by=agent)
    services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, by=agent)
    services.ticket_change_status(ticket=ticket, status=Status.OPEN, by=agent)
    deliver_all()

    assert templates() == ["ticket_created", "status_waiting", "status_resolved", "status_reopened"]
    subjects = [m.subject for m in mail.outbox[1:]]
    assert subjects == [
        f"[{ticket.reference}] We are waiting for your answer",
        f"[{ticket.reference}] Your request is resolved",
        f"[{ticket.reference}] Your request is open again",
    ]
    for sent in mail.outbox[1:]:
        assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
        assert sent.extra_headers["References"] == ticket_thread_id(ticket)
        assert f"/t/{ticket.token}/" in sent.body
        assert sent.alternatives[0][1] == "text/html"


def test_a_requester_who_marks_their_ticket_solved_gets_no_mail_about_it():
    ticket = new_ticket()
    services.ticket_requester_mark_solved(ticket=ticket, requester=ticket.requester)
    assert templates() == ["ticket_created"]


def test_opening_a_new_ticket_sends_no_status_mail():
    ticket = new_ticket()
    services.ticket_add_message(
        ticket=ticket, kind=MessageKind.REPLY, body="On it.", by=factories.l1_agent()
    )  # NEW -> OPEN
    assert templates() == ["ticket_created", "public_reply"]


def test_sla_notices_to_staff_are_automatic_and_carry_no_reply_address():
    ticket = new_ticket()
    outbox_add(
        kind="email",
        key="email:sla_warning:test",
        ticket=ticket,
        payload={
            "template": "sla_warning",
            "to": ["agents@support.example.org"],
            "ticket_id": ticket.pk,
            "automatic": True,
            "context": {"target": "First response", "due_at": "2026-01-01T10:00:00+00:00"},
        },
    )
    deliver_all()
    notice = mail.outbox[-1]
    assert notice.to == ["agents@support.example.org"]
    assert notice.reply_to == []
    assert notice.extra_headers["Auto-Submitted"] == "auto-generated"
    assert ticket.reference in notice.subject


class _Recorder:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    recorder = _Recorder()
    with socket.socket() as probe:  # a free port: aiosmtpd checks the one it is given
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller, recorder
    finally:
        controller.stop()


@LONG_TEST_TIMEOUT
def test_mail_goes_through_a_real_smtp_server_and_the_answer_comes_back_to_the_ticket(
    smtp_server, settings
):
    controller, recorder = smtp_server
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 5},
        }
    }
    ticket = new_ticket()
    agent = factories.l1_agent()
    services.ticket_add_message(ticket=ticket, kind=MessageKind.REPLY, body="Try 2.3.", by=agent)
    deliver_all()
    wait_for(lambda: len(recorder.envelopes) >= 2, "both emails at the SMTP server")

    assert OutboxMessage.objects.filter(status=OutboxStatus.DELIVERED).count() == 2
    ack_env, reply_env = recorder.envelopes
    assert reply_env.rcpt_tos == ["kofi@partner.example.org"]
    ack = email.message_from_bytes(ack_env.content, policy=email.policy.default)
    reply = email.message_from_bytes(reply_env.content, policy=email.policy.default)
    assert ack["Auto-Submitted"] == "auto-generated"
    assert reply["Auto-Submitted"] is None
    assert reply["Subject"] == f"Re: [{ticket.reference}] {ticket.subject}"
    assert reply["Reply-To"] == f"Support <{reply_address(ticket)}>"
    assert reply["In-Reply-To"] == ticket_thread_id(ticket)
    assert reply["References"] == ticket_thread_id(ticket)
    assert reply["Message-ID"].endswith("@helpdesk.localhost>")
    assert reply.get_content_type() == "multipart/alternative"
    assert "Try 2.3." in reply.get_body(("plain",)).get_content()

    # The requester's client answers it as clients do: to Reply-To, quoting it.
    answer = (
        f"From: Kofi <kofi@partner.example.org>\r\nTo: {reply['Reply-To']}\r\n"
        f"Subject: Re: {reply['Subject']}\r\nMessage-ID: <answer-1@partner.example.org>\r\n"
        f"In-Reply-To: {reply['Message-ID']}\r\n"
        f"References: {reply['References']} {reply['Message-ID']}\r\n\r\n"
        "2.3 works, thank you.\r\n\r\nOn Tue, Support wrote:\r\n> Try 2.3.\r\n"
    ).encode()
    inbound = ingest(answer)

    assert inbound.ticket == ticket
    assert inbound.ticket_message.body == "2.3 works, thank you."


def test_demo_data_and_imports_can_change_status_without_mailing_anyone():
    ticket = new_ticket()
    agent = factories.l1_agent()
    services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, by=agent, notify=False)
    services.ticket_add_message(
        ticket=ticket, kind=MessageKind.CUSTOMER, body="Back again", notify=False
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW  # resolved straight from New: back to triage
    assert templates() == ["ticket_created"]
