"""Helpers for the email tests: the real-world samples, re-addressed where a test needs it."""

from __future__ import annotations

import re
from pathlib import Path

from integrations.email import services
from integrations.email.models import InboundEmail

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "email"


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
