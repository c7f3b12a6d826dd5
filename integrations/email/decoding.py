"""Header and charset decoding for :mod:`integrations.email.parsing`: pure functions.

Each field is read on its own so that one bad header never costs the mail: raw 8-bit
bytes are read as UTF-8 (or Windows-1252), unknown charsets fall back the same way,
and the sender is read with the modern policy first (``email.policy.default``, which
keeps "=?utf-8?Q?Mensah=2C_Kofi?= <kofi@…>" one address), then compat32, then raw.
"""

from __future__ import annotations

import codecs
import email.message
import email.policy
import re
from email.header import Header, decode_header
from email.utils import getaddresses, parseaddr


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


def header_value(part: email.message.Message, name: str) -> str:
    """One header as text, whatever compat32 made of it (a ``Header`` for 8-bit bytes)."""
    try:
        return header_text(part.get(name))
    except Exception:  # a header no decoder can read: nothing, rather than the whole mail
        return ""


def _raw_header(message: email.message.Message, name: str) -> str:
    """The header as it came (RFC 2047 words still encoded; 8-bit bytes read as UTF-8)."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            text = value if isinstance(value, str) else str(value)
            return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return ""


def sender(message: email.message.Message) -> tuple[str, str]:
    """(display name, address) of From, field by field: modern policy, compat32, raw text."""
    raw = _raw_header(message, "From")
    try:
        parsed = email.policy.default.header_factory("From", " ".join(raw.split()))
        found = [a for a in parsed.addresses if "@" in a.addr_spec]
    except Exception:  # the modern parser refuses some real-world headers: go on
        found = []
    if found:
        return " ".join(found[0].display_name.split()), found[0].addr_spec.strip().lower()
    # Undecoded first, so an encoded comma in the name cannot split the address.
    for value in (raw, header_text(raw)):
        name, address = parseaddr(value)
        if "@" in address:
            return header_text(name).strip(), address.strip().lower()
    return "", ""


def addresses(message: email.message.Message, names: tuple[str, ...]) -> list[str]:
    values = [header_text(v) for name in names for v in message.get_all(name) or []]
    try:
        pairs = getaddresses(values)
    except Exception:
        return []
    return [addr.strip().lower() for _, addr in pairs if "@" in addr]


_MSGID_RE = re.compile(r"<[^<>\s]+>")


def message_ids(value: str) -> list[str]:
    return _MSGID_RE.findall(value or "")
