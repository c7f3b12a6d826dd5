"""Mail in: every real-world sample handled sensibly, and new requests by email kept whole."""

from __future__ import annotations

import pytest
from django.core import mail

from integrations.email.models import InboundEmail, InboundStatus
from tests.email_helpers import FIXTURES, HELD, IGNORED, PROCESSED, ingest, readdress, sample
from tests.test_email_delivery import deliver_all
from tickets.models import Channel, MessageKind, OutboxMessage, Ticket

pytestmark = pytest.mark.django_db


# What each of the 40 samples (38 published, 2 written for regressions) becomes when it
# reaches the support address unsolicited (none of them answers a mail of ours):
# status, and a word of the reason.
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
    "malformed-8bit-attachment-filename.eml": (PROCESSED, "Opened"),
    "malformed-bad-date.eml": (HELD, "no text"),
    "malformed-duplicate-content-type.eml": (PROCESSED, "Opened"),
    "malformed-missing-body.eml": (HELD, "no text"),
    "malformed-unknown-charset-8bit-fr.eml": (PROCESSED, "Opened"),
    "outlook-encoded-comma-display-name.eml": (PROCESSED, "Opened"),
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
    assert len(EXPECTED) == 40


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
    assert InboundEmail.objects.count() == 40
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
