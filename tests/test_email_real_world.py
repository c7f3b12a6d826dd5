"""Real-world mail that used to be lost or misread: 8-bit headers, Outlook's "Surname, Name"."""

from __future__ import annotations

import pytest

from integrations.email.parsing import parse_mail
from tests.email_helpers import HELD, PROCESSED, ingest, sample

pytestmark = pytest.mark.django_db


def test_an_unencoded_utf8_attachment_name_keeps_the_body_the_file_and_its_name():
    parsed = parse_mail(sample("malformed-8bit-attachment-filename.eml"))
    assert parsed.unreadable == ""
    assert (parsed.from_name, parsed.from_address) == ("Jörg Müller", "joerg.mueller@example.de")
    assert parsed.subject == "Rechnung für März fehlt"
    assert "angehängt" in parsed.text
    [pdf] = parsed.attachments
    assert (pdf.name, pdf.content_type) == ("Beleg_März_Übersicht.pdf", "application/pdf")
    assert pdf.data.startswith(b"%PDF-1.4")


def test_a_mail_with_an_8bit_attachment_name_opens_a_ticket_with_text_and_file():
    inbound = ingest(sample("malformed-8bit-attachment-filename.eml"))
    assert inbound.status == PROCESSED, inbound.reason
    message = inbound.ticket.messages.get()
    assert "Rechnung für März fehlt in meinem Konto" in message.body
    [pdf] = message.attachments.all()
    assert pdf.original_name == "Beleg_März_Übersicht.pdf"


def test_an_outlook_surname_comma_name_keeps_the_sender_address():
    parsed = parse_mail(sample("outlook-encoded-comma-display-name.eml"))
    assert (parsed.from_name, parsed.from_address) == ("Mensah, Kofi", "kofi.mensah@example.com")
    inbound = ingest(sample("outlook-encoded-comma-display-name.eml"))
    assert inbound.status == PROCESSED, inbound.reason
    assert inbound.from_address == "kofi.mensah@example.com"
    assert inbound.ticket.requester.email == "kofi.mensah@example.com"
    assert inbound.ticket.requester.name == "Mensah, Kofi"


@pytest.mark.parametrize(
    ("header", "name", "address"),
    [
        ('"Doe, John" <john@example.org>', "Doe, John", "john@example.org"),
        ("=?iso-8859-1?Q?M=FCller=2C_J=F6rg?= <JM@Example.DE>", "Müller, Jörg", "jm@example.de"),
        ("john@example.org (John)", "", "john@example.org"),
        ("Kofi <kofi@example.org>, other@example.org", "Kofi", "kofi@example.org"),
        ("undisclosed-recipients:;", "", ""),
        ("<>", "", ""),
    ],
)
def test_the_sender_is_read_field_by_field(header, name, address):
    parsed = parse_mail(f"From: {header}\r\nSubject: x\r\n\r\nhello\r\n".encode())
    assert (parsed.from_name, parsed.from_address) == (name, address)


def _broken(*args, **kwargs):
    raise ValueError("unreadable")


def test_a_part_that_cannot_be_read_is_named_on_the_ticket_and_the_rest_is_kept(monkeypatch):
    monkeypatch.setattr("integrations.email.parsing._attached_message", _broken)

    inbound = ingest(sample("forward-as-attachment-apple-mail.eml"))

    assert inbound.status == PROCESSED, inbound.reason
    body = inbound.ticket.messages.get().body
    assert "Part 2 (message/rfc822" in body
    assert "could not be read (ValueError)" in body
    assert "raw mail, kept under Email → Inbound emails" in body
    assert bytes(inbound.raw) == sample("forward-as-attachment-apple-mail.eml")


def test_a_mail_whose_only_part_cannot_be_read_is_held_with_the_reason(monkeypatch):
    monkeypatch.setattr("integrations.email.parsing._part_text", _broken)

    inbound = ingest(sample("reply-yahoo.eml"))

    assert inbound.status == HELD
    assert "Part 1 (text/plain) could not be read (ValueError)" in inbound.reason
    assert bytes(inbound.raw) == sample("reply-yahoo.eml")
