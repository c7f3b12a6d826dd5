"""Mail in: every real-world sample handled sensibly, replies threaded, machines ignored,
doubtful mail held for an agent, nothing lost and nothing stopping the rest."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from integrations.email import intake, services
from integrations.email.addresses import reply_address
from integrations.email.handlers import ticket_thread_id
from integrations.email.models import InboundEmail, InboundStatus
from tests import factories
from tests.email_helpers import FIXTURES, ingest, many_parts, nested_mime, readdress, sample
from tests.test_email_delivery import deliver_all
from tickets import services as ticket_services
from tickets.models import Channel, MessageKind, OutboxMessage, Status, Ticket

pytestmark = pytest.mark.django_db

PROCESSED, IGNORED, HELD = InboundStatus.PROCESSED, InboundStatus.IGNORED, InboundStatus.HELD

# What each of the 38 published samples becomes when it reaches the support address
# unsolicited (none of them answers a mail of ours): status, and a word of the reason.
EXPECTED = {
    "attachment-inline-image-and-rfc822.eml": (PROCESSED, "Opened"),
    "attachment-iphone-jpeg.eml": (PROCESSED, "Opened"),
    "attachment-pdf-unicode-subject.eml": (PROCESSED, "Opened"),
    "autoreply-auto-submitted.eml": (IGNORED, "Auto-Submitted"),
    "autoreply-exchange-windows-1252.eml": (IGNORED, "empty return path"),
    "autoreply-icloud-vacation.eml": (IGNORED, "X-Apple-Action"),
    "autoreply-mimecast-precedence-bulk.eml": (IGNORED, "Auto-Submitted"),
    "bounce-aol-mailbox-full.eml": (IGNORED, "Auto-Submitted"),
    "bounce-exchange-fr-iso-8859-1.eml": (IGNORED, "Auto-Submitted"),
    "bounce-gmail-plain-text.eml": (IGNORED, "bounce"),
    "bounce-google-groups-de.eml": (IGNORED, "Auto-Submitted"),
    "bounce-google-groups-es.eml": (IGNORED, "Auto-Submitted"),
    "bounce-office365.eml": (IGNORED, "Auto-Submitted"),
    "bounce-relayed-by-mailman-list.eml": (IGNORED, "multipart/report"),
    "bounce-sendmail-delayed-warning.eml": (IGNORED, "Auto-Submitted"),
    "forward-as-attachment-apple-mail.eml": (PROCESSED, "Opened"),
    "forward-inline-original-message.eml": (PROCESSED, "Opened"),
    "forward-thunderbird-cs-8bit.eml": (PROCESSED, "Opened"),
    "html-only-thunderbird-long-links.eml": (PROCESSED, "Opened"),
    "ja-iso-2022-jp-thunderbird.eml": (PROCESSED, "Opened"),
    "koi8-r-outlook365-tnef.eml": (PROCESSED, "Opened"),
    "list-newsletter-ru-list-id.eml": (IGNORED, "List-Id"),
    "malformed-bad-date.eml": (HELD, "no text"),
    "malformed-duplicate-content-type.eml": (PROCESSED, "Opened"),
    "malformed-missing-body.eml": (HELD, "no text"),
    "malformed-unknown-charset-8bit-fr.eml": (PROCESSED, "Opened"),
    "reply-android-gmail-base64-ru.eml": (PROCESSED, "Opened"),
    "reply-aol.eml": (PROCESSED, "Opened"),
    "reply-apple-mail.eml": (PROCESSED, "Opened"),
    "reply-gmail.eml": (PROCESSED, "Opened"),
    "reply-hotmail.eml": (PROCESSED, "Opened"),
    "reply-iphone-qp.eml": (PROCESSED, "Opened"),
    "reply-outlook-2010-html.eml": (PROCESSED, "Opened"),
    "reply-sparrow-signature.eml": (PROCESSED, "Opened"),
    "reply-thunderbird.eml": (PROCESSED, "Opened"),
    "reply-yahoo-base64-quote-block.eml": (PROCESSED, "Opened"),
    "reply-yahoo.eml": (PROCESSED, "Opened"),
    "ru-en-yahoo-utf8-qp.eml": (PROCESSED, "Opened"),
}


def test_the_expectations_cover_every_sample_in_the_fixtures_folder():
    assert sorted(EXPECTED) == sorted(p.name for p in FIXTURES.glob("*.eml"))
    assert len(EXPECTED) == 38


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_real_world_sample_is_handled_sensibly(name):
    status, words = EXPECTED[name]

    inbound = ingest(sample(name))

    assert inbound.status == status, inbound.reason
    assert words in inbound.reason
    assert inbound.error == ""
    assert bytes(inbound.raw) == sample(name)  # kept byte for byte
    if status == PROCESSED:
        ticket = inbound.ticket
        assert ticket.channel == Channel.EMAIL
        assert ticket.requester.email == inbound.from_address
        assert inbound.ticket_message.email_message_id == inbound.message_id
    else:
        assert not Ticket.objects.exists()
        assert not OutboxMessage.objects.exists()  # nobody is answered: no loops


def test_every_sample_in_one_run_with_nothing_failing_and_each_stored_once():
    for path in sorted(FIXTURES.glob("*.eml")):
        ingest(path.read_bytes())
        ingest(path.read_bytes())  # the same mail delivered twice
    assert InboundEmail.objects.count() == 38
    assert not InboundEmail.objects.filter(status=InboundStatus.FAILED).exists()
    assert Ticket.objects.count() == sum(1 for s, _ in EXPECTED.values() if s == PROCESSED)


def test_a_new_request_by_email_keeps_text_charset_attachments_and_is_acknowledged():
    inbound = ingest(sample("attachment-iphone-jpeg.eml"))
    ticket = inbound.ticket
    message = ticket.messages.get()
    assert message.kind == MessageKind.CUSTOMER
    assert "Hello" in message.body
    [photo] = message.attachments.all()
    assert (photo.original_name, photo.content_type) == ("photo.JPG", "image/jpeg")
    assert ticket.requester.name == "Danielle"
    deliver_all()
    [ack] = mail.outbox
    assert ack.to == ["someone@somewhere.com"]
    assert ack.extra_headers["Auto-Submitted"] == "auto-generated"


def test_an_address_that_keeps_writing_new_mail_stops_being_acknowledged(settings):
    """An auto-responder we did not recognise, dropping our headers and reference."""
    settings.INBOUND_ACKS_PER_SENDER_PER_HOUR = 3
    for n in range(5):
        ingest(
            readdress(
                sample("attachment-iphone-jpeg.eml"),
                **{"Message-ID": f"<loop-{n}@responder.example>", "Subject": f"Re: thanks {n}"},
            )
        )

    assert Ticket.objects.filter(channel=Channel.EMAIL).count() == 5  # nothing is lost
    deliver_all()
    assert len(mail.outbox) == 3
    last = InboundEmail.objects.get(message_id="<loop-4@responder.example>")
    assert "Not acknowledged" in last.reason


def test_charsets_are_decoded_in_subject_and_body():
    japanese = ingest(sample("ja-iso-2022-jp-thunderbird.eml")).ticket
    assert japanese.subject == "日本語メールテスト (testing Japanese emails)"
    assert "日本語が" in japanese.messages.get().body
    ukrainian = ingest(sample("koi8-r-outlook365-tnef.eml")).ticket
    body = ukrainian.messages.get().body
    assert "шостий" in body
    # winmail.dat is not a file we accept: it is named, not silently dropped.
    assert "winmail.dat" in body
    assert not ukrainian.messages.get().attachments.exists()
    french = ingest(sample("malformed-unknown-charset-8bit-fr.eml")).ticket
    assert (
        "Envoyé par le service de messagerie texte de Bell Mobilité" in french.messages.get().body
    )


def test_an_html_only_mail_is_read_as_text_and_its_html_is_sanitised():
    inbound = ingest(sample("html-only-thunderbird-long-links.eml"))
    body = inbound.ticket.messages.get().body
    assert "<" not in body
    assert "longurlmaker" in body
    assert "<script" not in inbound.html_sanitised


def test_script_in_an_html_mail_never_survives_sanitising():
    raw = (
        b"From: a@partner.example.org\r\nTo: support@helpdesk.localhost\r\nSubject: x\r\n"
        b"Message-ID: <html-1@example.org>\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b'<p onclick="steal()">Hi <script>alert(1)</script><img src="http://t.example/p.gif">'
        b'<a href="javascript:alert(2)">link</a></p>'
    )
    inbound = ingest(raw)
    assert inbound.ticket.messages.get().body == "Hi link"
    html = inbound.html_sanitised
    assert "script" not in html
    assert "onclick" not in html
    assert "javascript" not in html
    assert "<img" not in html


def test_a_forwarded_message_is_kept_whole_and_an_attached_message_becomes_a_text_file():
    forwarded = ingest(sample("forward-thunderbird-cs-8bit.eml")).ticket
    assert "Cyklozaměstnavatel" in forwarded.messages.get().body
    inline = ingest(sample("forward-inline-original-message.eml")).ticket
    assert "Original Message" in inline.messages.get().body  # a new request keeps its context
    attached = ingest(sample("forward-as-attachment-apple-mail.eml")).ticket
    [original] = attached.messages.get().attachments.all()
    assert original.content_type == "text/plain"
    assert original.original_name.endswith(".txt")


# --------------------------------------------------------------------------- #
# Replies                                                                     #
# --------------------------------------------------------------------------- #


@pytest.fixture
def ticket():
    return ticket_services.ticket_create(
        requester_email="kofi@partner.example.org",
        requester_name="Kofi Mensah",
        subject="Export of indicators fails",
        channel=Channel.WEB,
        description="The export spins forever.",
    )


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
    assert ticket.status == Status.OPEN
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


# --------------------------------------------------------------------------- #
# Safety                                                                      #
# --------------------------------------------------------------------------- #


def test_one_mail_that_breaks_processing_is_kept_with_its_error_and_the_next_goes_on(monkeypatch):
    real = ticket_services.ticket_create

    def broken(**kwargs):
        if kwargs["requester_email"] == "xxx@gmail.com":
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
