"""Reading a raw mail into what the help desk needs: pure functions, no ORM.

Real mail is messy: unknown charsets, 8-bit bytes in headers, two Content-Type
headers, a multipart with no body. Everything here is written so that no input
raises: a header that cannot be decoded is read byte for byte, a part whose
charset is unknown is read as UTF-8 (or Windows-1252), a broken multipart is
read as text. The compat32 parser is used on purpose: it keeps going where the
modern policy raises on malformed address headers.
"""

from __future__ import annotations

import codecs
import email
import email.message
import email.parser
import hashlib
import re
from dataclasses import dataclass, field
from email.header import Header, decode_header
from email.utils import getaddresses, parseaddr

from integrations.email.replies import strip_reply
from kb.html import MAIL_POLICY, html_to_text, sanitise_html

# Where the recipients of a mail may be named (the envelope ones are added by MTAs).
RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To")


@dataclass(frozen=True)
class MailAttachment:
    name: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    message_id: str = ""
    from_name: str = ""
    from_address: str = ""
    recipients: list[str] = field(default_factory=list)
    subject: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    text: str = ""  # the whole text body (plain part, or the HTML part read as text)
    html: str = ""  # the HTML part as sent (never displayed; see ``sanitised_html``)
    attachments: list[MailAttachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased name -> first value
    content_type: str = ""
    # Why the body could not be read (only the headers were), e.g. MIME nested too deep.
    unreadable: str = ""

    @property
    def reply_text(self) -> str:
        """The new text only: quoted history and signatures removed."""
        return strip_reply(self.text, subject=self.subject)

    @property
    def sanitised_html(self) -> str:
        return sanitise_html(self.html, MAIL_POLICY)


# --------------------------------------------------------------------------- #
# Decoding                                                                    #
# --------------------------------------------------------------------------- #


def _codec(charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        return codecs.lookup(charset.strip().strip('"')).name
    except LookupError:
        return None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Bytes in a declared charset; unknown or wrong charsets fall back to UTF-8, then cp1252."""
    codec = _codec(charset)
    if codec:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(codec or "cp1252", errors="replace")


def _known(charset: str | None) -> str | None:
    return None if charset in (None, "unknown-8bit") else charset


def header_text(value: str | Header | None) -> str:
    """A header as text: RFC 2047 words decoded, raw 8-bit bytes read as UTF-8."""
    if value is None:
        return ""
    try:
        pieces = decode_header(value)
    except Exception:  # a malformed encoded word: keep the header as it came
        return " ".join(str(value).split())
    text = "".join(
        piece if isinstance(piece, str) else decode_bytes(piece, _known(cs)) for piece, cs in pieces
    )
    # Surrogates stand for undecodable 8-bit bytes in compat32 headers: read them as UTF-8.
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        text = decode_bytes(text.encode("utf-8", "surrogateescape"))
    return " ".join(text.split())


def _addresses(message: email.message.Message, names: tuple[str, ...]) -> list[str]:
    values = [header_text(v) for name in names for v in message.get_all(name) or []]
    try:
        pairs = getaddresses(values)
    except Exception:
        return []
    return [addr.strip().lower() for _, addr in pairs if "@" in addr]


_MSGID_RE = re.compile(r"<[^<>\s]+>")


def message_ids(value: str) -> list[str]:
    return _MSGID_RE.findall(value or "")


# --------------------------------------------------------------------------- #
# Structure                                                                   #
# --------------------------------------------------------------------------- #


def _leaves(part: email.message.Message) -> list[email.message.Message]:
    """Leaf parts in order; an attached message (message/rfc822) is one leaf, not opened."""
    if part.get_content_maintype() == "multipart":
        payload = part.get_payload()
        if isinstance(payload, list):
            return [
                leaf
                for sub in payload
                if isinstance(sub, email.message.Message)
                for leaf in _leaves(sub)
            ]
        return []  # a multipart without parts: nothing to read
    return [part]


def _filename(part: email.message.Message) -> str:
    try:
        name = part.get_filename() or part.get_param("name") or ""
    except Exception:
        name = ""
    if isinstance(name, tuple):  # RFC 2231 value the library could not collapse
        name = name[2]
    return header_text(str(name)) if name else ""


def _is_attachment(part: email.message.Message) -> bool:
    disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    if part.get_content_type() == "message/rfc822":
        return True
    if disposition == "attachment":
        return True
    if part.get_content_maintype() == "text" and not _filename(part):
        return False
    return part.get_content_maintype() != "text" or bool(_filename(part))


def _part_bytes(part: email.message.Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _part_text(part: email.message.Message) -> str:
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    return decode_bytes(_part_bytes(part), charset)


def _attached_message(part: email.message.Message, index: int) -> MailAttachment:
    """An attached (forwarded) mail, kept as a readable text file: its headers and text."""
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, email.message.Message):
        inner = email.message_from_bytes(_part_bytes(part))
    parsed = parse_message(inner)
    lines = [
        f"{name}: {header_text(inner.get(name))}"
        for name in ("From", "To", "Date", "Subject")
        if inner.get(name)
    ]
    body = "\n".join(lines) + "\n\n" + parsed.text
    stem = re.sub(r"[^\w\- ]+", "", parsed.subject)[:60].strip() or f"attached message {index}"
    return MailAttachment(f"{stem}.txt", "text/plain", body.encode("utf-8"))


def parse_mail(raw: bytes) -> ParsedMail:
    """Parse raw mail bytes; never raises for any input.

    A mail the email package cannot take apart (MIME parts nested a thousand deep,
    a classic mail bomb, make its parser recurse past Python's limit) is read for
    its headers only, and ``unreadable`` says why, so it can be stored and set aside.
    """
    try:
        return parse_message(email.message_from_bytes(raw))
    except Exception as exc:  # RecursionError included: it is a RuntimeError
        parsed = ParsedMail()
        try:
            _read_headers(parsed, email.parser.BytesParser().parsebytes(raw, headersonly=True))
        except Exception:  # not even a header block: keep the defaults
            parsed = ParsedMail()
        parsed.unreadable = f"The mail's body could not be read ({type(exc).__name__})."
        return parsed


def _read_headers(parsed: ParsedMail, message: email.message.Message) -> None:
    parsed.headers = {k.lower(): header_text(v) for k, v in reversed(message.items())}
    parsed.message_id = (message_ids(parsed.headers.get("message-id", "")) or [""])[0]
    name, address = parseaddr(parsed.headers.get("from", ""))
    parsed.from_name, parsed.from_address = name.strip(), address.strip().lower()
    parsed.recipients = _addresses(message, RECIPIENT_HEADERS)
    parsed.subject = parsed.headers.get("subject", "")
    parsed.in_reply_to = message_ids(parsed.headers.get("in-reply-to", ""))
    parsed.references = message_ids(" ".join(message.get_all("References") or []))
    parsed.content_type = message.get_content_type()


def parse_message(message: email.message.Message) -> ParsedMail:
    parsed = ParsedMail()
    _read_headers(parsed, message)
    texts: list[str] = []
    htmls: list[str] = []
    leaves = _leaves(message)
    if not leaves and not isinstance(message.get_payload(), list):
        # A multipart whose boundary never appears: read what is there as text.
        leaves = [message] if message.get_content_maintype() != "multipart" else []
        if not leaves and str(message.get_payload() or "").strip():
            texts.append(str(message.get_payload()))
    for index, part in enumerate(leaves, start=1):
        if _is_attachment(part):
            if part.get_content_type() == "message/rfc822":
                parsed.attachments.append(_attached_message(part, index))
            else:
                data = _part_bytes(part)
                if data:
                    name = _filename(part) or f"attachment-{index}"
                    parsed.attachments.append(MailAttachment(name, part.get_content_type(), data))
        elif part.get_content_type() == "text/html":
            htmls.append(_part_text(part))
        elif part.get_content_maintype() == "text":
            texts.append(_part_text(part))
    parsed.html = "\n".join(htmls)
    text = "\n\n".join(t.strip("\n") for t in texts if t.strip())
    parsed.text = normalise_text(text or html_to_text(parsed.html, drop_quoted=True))
    return parsed


def normalise_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").replace("\xa0", " ")
    # Trailing spaces go, except in "-- ", which marks where a signature starts.
    lines = (line if line == "-- " else line.rstrip() for line in text.split("\n"))
    return "\n".join(lines).strip()


def fallback_message_id(raw: bytes) -> str:
    """For a mail without Message-ID: a stable id from its bytes, so it is stored once."""
    return f"<sha256-{hashlib.sha256(raw).hexdigest()}@no-message-id>"
