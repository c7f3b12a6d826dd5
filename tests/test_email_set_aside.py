"""Mail that cannot be handled is kept and set aside, never lost, and never stops the rest."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from integrations.email import intake, services
from integrations.email.addresses import reply_address
from integrations.email.models import InboundEmail, InboundStatus
from integrations.email.parsing import parse_mail
from tests import factories
from tests.email_helpers import (
    IGNORED,
    PROCESSED,
    ingest,
    kofis_web_ticket,
    many_parts,
    nested_mime,
    readdress,
    sample,
)
from tickets import services as ticket_services
from tickets.models import OutboxMessage, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket():
    return kofis_web_ticket()


def test_one_mail_that_breaks_processing_is_kept_with_its_error_and_the_next_goes_on(monkeypatch):
    real = ticket_services.ticket_create
    # Only the Gmail sample's sender breaks: whatever address that published mail carries.
    breaking_sender = parse_mail(sample("reply-gmail.eml")).from_address

    def broken(**kwargs):
        if kwargs["requester_email"] == breaking_sender:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(ticket_services, "ticket_create", broken)
    bad = ingest(sample("reply-gmail.eml"))
    good = ingest(sample("reply-yahoo.eml"))

    assert bad.status == InboundStatus.FAILED
    assert "disk full" in bad.reason
    assert "RuntimeError" in bad.error
    assert good.status == PROCESSED
    assert Ticket.objects.count() == 1  # the broken one left no half-made ticket
    monkeypatch.setattr(ticket_services, "ticket_create", real)

    retried = services.inbound_retry(inbound=bad)

    assert retried.status == PROCESSED
    assert Ticket.objects.count() == 2


def test_a_mail_that_keeps_bringing_its_worker_down_is_set_aside_and_the_rest_go_on(settings):
    settings.INBOUND_MAX_ATTEMPTS = 3
    killer = services.inbound_receive(raw=sample("reply-gmail.eml"), source="imap").inbound
    # Three workers died processing it (no exception reached our code).
    InboundEmail.objects.filter(pk=killer.pk).update(attempts=3)
    fine = services.inbound_receive(raw=sample("reply-yahoo.eml"), source="imap").inbound

    assert services.inbound_process_pending() == 2

    killer.refresh_from_db()
    assert killer.status == InboundStatus.FAILED
    assert "cut short 3 times" in killer.reason
    assert InboundEmail.objects.get(pk=fine.pk).status == PROCESSED
    # An admin's "process again" gives it a fresh set of tries.
    assert services.inbound_retry(inbound=killer).status == PROCESSED


def test_a_mail_over_the_size_limit_is_set_aside_and_an_agent_can_still_open_a_ticket(settings):
    settings.INBOUND_EMAIL_MAX_BYTES = 2000
    raw = sample("attachment-iphone-jpeg.eml")

    inbound = ingest(raw)

    assert inbound.status == InboundStatus.FAILED
    assert inbound.truncated
    assert inbound.size == len(raw)
    assert not Ticket.objects.exists()
    services.inbound_create_ticket(inbound=inbound, by=factories.l1_agent())
    inbound.refresh_from_db()
    assert inbound.status == PROCESSED
    assert inbound.ticket.requester.email == "someone@somewhere.com"


def test_a_mime_bomb_nested_too_deep_to_parse_is_stored_and_set_aside_and_the_next_goes_on():
    bomb = nested_mime(2000)

    inbound = ingest(bomb)
    good = ingest(sample("reply-yahoo.eml"))

    assert inbound.status == InboundStatus.FAILED
    assert "could not be read" in inbound.reason
    assert (inbound.from_address, inbound.message_id) == (
        "mal@bomb.example",
        "<nested@bomb.example>",
    )
    assert bytes(inbound.raw) == bomb
    assert good.status == PROCESSED
    assert Ticket.objects.count() == 1
    assert not OutboxMessage.objects.filter(payload__to=["mal@bomb.example"]).exists()


def test_a_mail_with_thousands_of_parts_names_a_few_files_and_counts_the_rest():
    inbound = ingest(many_parts(5000))

    message = inbound.ticket_message
    assert inbound.status == PROCESSED
    assert message.body.startswith("See the files.")
    assert message.body.count("run.exe") == intake.NOTES_LISTED
    assert f"{5000 - intake.NOTES_LISTED} more files, not kept." in message.body
    assert not message.attachments.exists()


def test_an_attachment_over_the_file_limit_is_named_in_the_message_not_stored(settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    message = ingest(sample("attachment-iphone-jpeg.eml")).ticket.messages.get()
    assert not message.attachments.exists()
    assert "“photo.JPG” is 8 KB; a file can be at most 1000 bytes." in message.body


def test_an_agent_can_ignore_held_mail_and_nothing_is_done_twice(ticket):
    raw = readdress(sample("reply-gmail.eml"), To=reply_address(ticket), From="eve@else.example")
    inbound = ingest(raw)
    agent = factories.l1_agent()
    services.inbound_ignore(inbound=inbound, by=agent)
    inbound.refresh_from_db()
    assert inbound.status == IGNORED
    with pytest.raises(ValidationError):
        services.inbound_confirm_append(inbound=inbound, by=agent)
    assert ticket.messages.count() == 1


def test_a_webhook_row_left_unprocessed_is_picked_up_by_the_pending_sweep():
    received = services.inbound_receive(raw=sample("reply-gmail.eml"), source="webhook")
    assert received.inbound.status == InboundStatus.RECEIVED
    assert services.inbound_process_pending() == 1
    received.inbound.refresh_from_db()
    assert received.inbound.status == PROCESSED
    assert services.inbound_process_pending() == 0
