"""Reading a raw mail into what the help desk needs: pure functions, no ORM.

Real mail is messy: unknown charsets, 8-bit bytes in headers, two Content-Type
headers, a multipart with no body. Everything here is written so that no input
raises: a header that cannot be decoded is read byte for byte, a part whose
charset is unknown is read as UTF-8 (or Windows-1252), a broken multipart is
read as text. The structure is read with the compat32 parser on purpose (it keeps
going where the modern policy raises), then each field is read on its own
(:mod:`integrations.email.decoding`): an
address header with the modern policy (``email.policy.default``, which keeps
"=?utf-8?Q?Mensah=2C_Kofi?= <kofi@…>" one address), falling back to compat32 and
then to the raw text; a header with raw 8-bit bytes is read as UTF-8, never lost.
"""

from __future__ import annotations

import email
import email.message
import email.parser
import hashlib
import re
from dataclasses import dataclass, field

from integrations.email.decoding import (
    addresses,
    decode_bytes,
    header_text,
    header_value,
    message_ids,
    sender,
)
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
    # Every Authentication-Results header, topmost (added last, nearest to us) first.
    authentication_results: list[str] = field(default_factory=list)
    # Parts that could not be read, described for an agent; the raw mail keeps them.
    unread_parts: list[str] = field(default_factory=list)
    # The content types of the leaf parts, e.g. message/delivery-status in a bounce.
    part_types: list[str] = field(default_factory=list)

    @property
    def reply_text(self) -> str:
        """The new text only: quoted history and signatures removed."""
        return strip_reply(self.text, subject=self.subject)

    @property
    def sanitised_html(self) -> str:
        return sanitise_html(self.html, MAIL_POLICY)


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


_NAME_PARAM_RE = re.compile(r"""(?:^|;)\s*(?:file)?name\*?=\s*(?:"([^"]*)"|([^;\s]+))""", re.I)


def _filename(part: email.message.Message) -> str:
    try:
        name = part.get_filename() or part.get_param("name") or ""
    except Exception:
        name = ""
    if isinstance(name, tuple):  # RFC 2231 value the library could not collapse
        name = name[2]
    if not name or not isinstance(name, str) or "\ufffd" in name:
        # A raw 8-bit name (an unencoded UTF-8 file name): the library gives up or
        # replaces its bytes; the header read as UTF-8 still has it.
        for header in ("Content-Disposition", "Content-Type"):
            match = _NAME_PARAM_RE.search(header_value(part, header))
            if match:
                name = match.group(1) or match.group(2)
                break
    return header_text(str(name)) if name else ""


def _is_attachment(part: email.message.Message) -> bool:
    disposition = header_value(part, "Content-Disposition").split(";")[0].strip().lower()
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
    parsed.from_name, parsed.from_address = sender(message)
    parsed.recipients = addresses(message, RECIPIENT_HEADERS)
    parsed.subject = parsed.headers.get("subject", "")
    parsed.in_reply_to = message_ids(parsed.headers.get("in-reply-to", ""))
    parsed.references = message_ids(" ".join(message.get_all("References") or []))
    parsed.content_type = message.get_content_type()
    parsed.authentication_results = [
        header_text(value) for value in message.get_all("Authentication-Results") or []
    ]


def parse_message(message: email.message.Message) -> ParsedMail:
    parsed = ParsedMail()
    _read_headers(parsed, message)
    texts: list[str] = []
    htmls: list[str] = []
    leaves = _leaves(message)
    parsed.part_types = [leaf.get_content_type() for leaf in leaves]
    if not leaves and not isinstance(message.get_payload(), list):
        # A multipart whose boundary never appears: read what is there as text.
        leaves = [message] if message.get_content_maintype() != "multipart" else []
        if not leaves and str(message.get_payload() or "").strip():
            texts.append(str(message.get_payload()))
    for index, part in enumerate(leaves, start=1):
        try:
            _read_part(parsed, part, index, texts, htmls)
        except Exception as exc:  # RecursionError too: one bad part must not cost the rest
            parsed.unread_parts.append(_unread(part, index, exc))
    parsed.html = "\n".join(htmls)
    text = "\n\n".join(t.strip("\n") for t in texts if t.strip())
    parsed.text = normalise_text(text or html_to_text(parsed.html, drop_quoted=True))
    return parsed


def _read_part(
    parsed: ParsedMail,
    part: email.message.Message,
    index: int,
    texts: list[str],
    htmls: list[str],
) -> None:
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


def _unread(part: email.message.Message, index: int, exc: BaseException) -> str:
    """How an agent will recognise a part that could not be read, in the raw mail."""
    try:
        what = part.get_content_type()
        name = _filename(part)
    except Exception:  # the part's own headers are what failed
        what, name = "unknown type", ""
    label = f"{what}, “{name}”" if name else what
    return f"Part {index} ({label}) could not be read ({type(exc).__name__})."


def normalise_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").replace("\xa0", " ")
    # Trailing spaces go, except in "-- ", which marks where a signature starts.
    lines = (line if line == "-- " else line.rstrip() for line in text.split("\n"))
    return "\n".join(lines).strip()


def fallback_message_id(raw: bytes) -> str:
    """For a mail without Message-ID: a stable id from its bytes, so it is stored once."""
    return f"<sha256-{hashlib.sha256(raw).hexdigest()}@no-message-id>"
