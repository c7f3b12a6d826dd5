"""Replies by email: threaded onto their ticket, forgeries and strangers held, machines ignored."""

from __future__ import annotations

import pytest
from django.core import mail

from integrations.email import services
from integrations.email.addresses import reply_address
from integrations.email.handlers import ticket_thread_id
from tests import factories
from tests.email_helpers import (
    HELD,
    IGNORED,
    PROCESSED,
    ingest,
    kofis_web_ticket,
    readdress,
    sample,
)
from tests.test_email_delivery import deliver_all
from tickets import services as ticket_services
from tickets.models import OutboxMessage, Status, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket():
    return kofis_web_ticket()


REPLY_SAMPLES = [
    "reply-android-gmail-base64-ru.eml",
    "reply-aol.eml",
    "reply-apple-mail.eml",
    "reply-gmail.eml",
    "reply-hotmail.eml",
    "reply-iphone-qp.eml",
    "reply-outlook-2010-html.eml",
    "reply-sparrow-signature.eml",
    "reply-thunderbird.eml",
    "reply-yahoo.eml",
]


@pytest.mark.parametrize("name", REPLY_SAMPLES)
def test_a_reply_from_each_client_lands_on_its_ticket_without_the_quoted_history(ticket, name):
    raw = readdress(sample(name), To=reply_address(ticket), From="Kofi <kofi@partner.example.org>")

    inbound = ingest(raw)

    assert inbound.status == PROCESSED, inbound.reason
    assert inbound.ticket == ticket
    message = inbound.ticket_message
    assert message.body.startswith("Hello")
    assert ">" not in message.body
    assert "wrote" not in message.body.lower()
    assert "Sparrow" not in message.body  # the "-- " signature is gone
    assert message.author_requester == ticket.requester
    assert Ticket.objects.count() == 1


def test_a_reply_to_a_resolved_ticket_reopens_it_and_the_requester_is_told(ticket):
    ticket_services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, by=None)
    raw = readdress(
        sample("reply-gmail.eml"), To=reply_address(ticket), From=ticket.requester.email
    )

    ingest(raw)

    ticket.refresh_from_db()
    assert ticket.status == Status.NEW  # resolved before triage: back to "New — to triage"
    assert OutboxMessage.objects.filter(payload__template="status_reopened").count() == 1


def test_a_reply_is_matched_by_its_thread_headers_when_the_reply_address_was_lost(ticket):
    raw = readdress(
        sample("reply-yahoo.eml"),
        To="support@helpdesk.localhost",
        From=ticket.requester.email,
        In_Reply_To="<0123456789abcdef@helpdesk.localhost>",
        References=f"{ticket_thread_id(ticket)} <0123456789abcdef@helpdesk.localhost>",
    )
    inbound = ingest(raw)
    assert (inbound.status, inbound.ticket) == (PROCESSED, ticket)


def test_a_forged_thread_header_naming_a_ticket_number_matches_nothing(ticket):
    """Ticket numbers are guessable; our thread ids carry the ticket's digest."""
    for forged in (f"<ticket-{ticket.pk}@helpdesk.localhost>",
                   f"<ticket-{ticket.pk}-0123456789abcdef@helpdesk.localhost>"):  # fmt: skip
        raw = readdress(
            sample("reply-yahoo.eml"),
            To="support@helpdesk.localhost",
            From=ticket.requester.email,
            Message_ID=f"<forged-{len(forged)}@attacker.example>",
            In_Reply_To=forged,
            References=forged,
        )
        inbound = ingest(raw)
        assert inbound.ticket != ticket
    assert ticket.messages.count() == 1  # nothing was appended to the real ticket


def test_an_answer_naming_only_our_mail_in_in_reply_to_finds_its_ticket_and_is_not_acknowledged(
    ticket,
):
    # An auto-responder that sets no Auto-Submitted header, answers the envelope
    # sender (the support address) with a subject of its own and keeps only In-Reply-To.
    deliver_all()
    [ack] = mail.outbox
    answer = (
        f"From: {ticket.requester.email}\r\nTo: support@helpdesk.localhost\r\n"
        f"Subject: Thank you for your email\r\nMessage-ID: <responder-1@partner.example.org>\r\n"
        f"In-Reply-To: {ack.extra_headers['Message-ID']}\r\n\r\n"
        "I have received your email and will get back to you.\r\n"
    ).encode()
    rows = OutboxMessage.objects.count()

    inbound = ingest(answer)

    assert (inbound.status, inbound.ticket) == (PROCESSED, ticket)
    assert Ticket.objects.count() == 1
    assert OutboxMessage.objects.count() == rows  # no acknowledgement to answer again


def test_a_forged_reply_address_with_a_wrong_digest_matches_nothing(ticket):
    forged = reply_address(ticket).replace(reply_address(ticket).split("-")[-1][:4], "0000")
    raw = readdress(sample("reply-gmail.eml"), To=forged, From=ticket.requester.email)
    inbound = ingest(raw)
    assert inbound.ticket != ticket
    assert ticket.messages.count() == 1


def test_a_reply_from_someone_else_is_held_until_an_agent_confirms_it(ticket):
    raw = readdress(
        sample("reply-gmail.eml"), To=reply_address(ticket), From="Eve <eve@else.example>"
    )

    inbound = ingest(raw)

    assert inbound.status == HELD
    assert inbound.ticket == ticket
    assert "eve@else.example" in inbound.reason
    assert "not its requester" in inbound.reason
    assert ticket.messages.count() == 1  # nothing appended yet
    agent = factories.l1_agent()

    services.inbound_confirm_append(inbound=inbound, by=agent)

    inbound.refresh_from_db()
    assert inbound.status == PROCESSED
    appended = ticket.messages.order_by("id").last()
    assert appended.author_requester.email == "eve@else.example"
    assert appended.body == "Hello"
    assert agent.username in inbound.reason


def test_a_mail_that_only_names_a_ticket_in_its_subject_is_held_not_appended(ticket):
    raw = readdress(
        sample("reply-apple-mail.eml"),
        From=ticket.requester.email,
        Subject=f"Re: [{ticket.reference}] Export of indicators fails",
    )
    inbound = ingest(raw)
    assert inbound.status == HELD
    assert inbound.ticket == ticket
    assert ticket.messages.count() == 1
    # Anyone else naming the reference just opens their own ticket.
    other = readdress(
        sample("reply-gmail.eml"), Subject=f"Re: [{ticket.reference}] Export of indicators fails"
    )
    assert ingest(other).ticket != ticket


def test_a_reply_to_a_closed_ticket_opens_a_follow_up(ticket):
    ticket_services.ticket_change_status(ticket=ticket, status=Status.CLOSED, by=None)
    raw = readdress(
        sample("reply-gmail.eml"), To=reply_address(ticket), From=ticket.requester.email
    )

    inbound = ingest(raw)

    follow_up = inbound.ticket
    assert follow_up != ticket
    assert f"Follow-up to {ticket.reference}" in follow_up.messages.get().body
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


@pytest.mark.parametrize(
    "name",
    ["autoreply-auto-submitted.eml", "autoreply-icloud-vacation.eml", "bounce-office365.eml"],
)
def test_an_auto_reply_to_a_tickets_address_never_reopens_or_answers(ticket, name):
    ticket_services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, by=None)
    rows = OutboxMessage.objects.count()
    raw = readdress(sample(name), To=reply_address(ticket), From=ticket.requester.email)

    assert ingest(raw).status == IGNORED

    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert OutboxMessage.objects.count() == rows
    assert ticket.messages.count() == 1


def test_our_own_mail_coming_back_is_ignored(ticket):
    deliver_all()
    [ack] = mail.outbox
    echoed = ack.message().as_bytes()

    inbound = ingest(echoed)

    assert inbound.status == IGNORED
    assert "loop" in inbound.reason
    assert Ticket.objects.count() == 1


def test_a_mail_from_the_support_address_itself_is_ignored():
    raw = readdress(sample("reply-gmail.eml"), From="Support <support@helpdesk.localhost>")
    assert ingest(raw).status == IGNORED
