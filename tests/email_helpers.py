"""Helpers for the email tests: the real-world samples, re-addressed where a test needs it."""

from __future__ import annotations

import re
from pathlib import Path

from integrations.email import services
from integrations.email.models import InboundEmail, InboundStatus

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "email"


PROCESSED, IGNORED, HELD = InboundStatus.PROCESSED, InboundStatus.IGNORED, InboundStatus.HELD


def sample(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _header_block(raw: bytes) -> tuple[bytes, bytes, bytes]:
    match = re.search(rb"\r?\n\r?\n", raw)
    if not match:
        return raw, b"", b""
    return raw[: match.start()], raw[match.start() : match.end()], raw[match.end() :]


def readdress(raw: bytes, **headers: str) -> bytes:
    """The sample with some top-level headers replaced (or added), e.g. To=…, From=….

    Only the sample's own header block changes; its body, encodings and line ends stay.
    """
    head, gap, body = _header_block(raw)
    newline = b"\r\n" if b"\r\n" in head else b"\n"
    for name, value in headers.items():
        name = name.replace("_", "-")
        pattern = re.compile(
            rb"^" + re.escape(name.encode()) + rb":[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*",
            re.IGNORECASE | re.MULTILINE,
        )
        line = f"{name}: {value}".encode()
        head, count = pattern.subn(line.replace(b"\\", b"\\\\"), head, count=1)
        if not count:
            head = head + newline + line
    return head + gap + body


def ingest(raw: bytes, **kwargs) -> InboundEmail:
    received = services.inbound_receive(raw=raw, source="imap", **kwargs)
    return services.inbound_process(inbound_id=received.inbound.pk)


def nested_mime(depth: int, message_id: str = "<nested@bomb.example>") -> bytes:
    """A small mail whose one line of text sits ``depth`` multiparts deep (a MIME bomb)."""
    body = b"Content-Type: text/plain\r\n\r\nhello\r\n"
    for level in range(depth):
        boundary = b"b%d" % level
        body = (
            b'Content-Type: multipart/mixed; boundary="' + boundary + b'"\r\n\r\n'
            b"--" + boundary + b"\r\n" + body + b"\r\n--" + boundary + b"--\r\n"
        )
    head = (
        f"From: Mal <mal@bomb.example>\r\nTo: support@helpdesk.localhost\r\n"
        f"Subject: Nested\r\nMessage-ID: {message_id}\r\nMIME-Version: 1.0\r\n"
    ).encode()
    return head + body


def many_parts(count: int, message_id: str = "<parts@bomb.example>") -> bytes:
    """A mail with a line of text and ``count`` tiny attachments of a refused type."""
    part = (
        b"--B\r\nContent-Type: application/x-msdownload\r\n"
        b"Content-Disposition: attachment; filename=run.exe\r\n\r\nMZ\r\n"
    )
    return (
        (
            f"From: Mal <mal@bomb.example>\r\nTo: support@helpdesk.localhost\r\n"
            f"Subject: Parts\r\nMessage-ID: {message_id}\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
            "--B\r\nContent-Type: text/plain\r\n\r\nSee the files.\r\n"
        ).encode()
        + part * count
        + b"--B--\r\n"
    )


def kofis_web_ticket():
    """The ticket the reply tests answer: Kofi's, logged on the web, one message."""
    from tickets import services as ticket_services
    from tickets.models import Channel

    return ticket_services.ticket_create(
        requester_email="kofi@partner.example.org",
        requester_name="Kofi Mensah",
        subject="Export of indicators fails",
        channel=Channel.WEB,
        description="The export spins forever.",
    )
