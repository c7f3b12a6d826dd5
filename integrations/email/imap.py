"""Polls the support mailbox over IMAP (imap-tools), with TLS and nothing else.

``IMAP_URL`` is ``imaps://`` (TLS from the first byte) or ``imap+starttls://``
(STARTTLS, and the poll fails if the server does not offer it: imaplib raises,
nothing falls back to plaintext). The server's certificate is verified, against
``IMAP_CA_FILE`` when one is set.

Each mail is stored first (:func:`inbound_receive` commits it) and only then
moved to ``IMAP_PROCESSED_FOLDER`` or flagged ``\\Seen``; it is never deleted.
A mail that cannot be stored stays as it is and is tried again at the next poll.
"""

from __future__ import annotations

import email
import logging
import ssl
from dataclasses import dataclass, field
from email.message import Message
from functools import cached_property
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from imap_tools import MailBox, MailBoxStartTls, MailMessage
from imap_tools.mailbox import BaseMailBox

from integrations.email.models import InboundSource
from integrations.email.services import TRUNCATED_KEEP_BYTES, inbound_process, inbound_receive

logger = logging.getLogger(__name__)

LOCK_KEY = "mail:imap-poll-lock"
SCHEMES = {"imaps": 993, "imap+starttls": 143}


@dataclass(frozen=True)
class ImapConfig:
    scheme: str
    host: str
    port: int
    username: str
    password: str
    folder: str


def imap_config(url: str) -> ImapConfig | None:
    """The mailbox named by ``url``; None when empty. A URL without TLS is refused."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ImproperlyConfigured(
            f"IMAP_URL must start with imaps:// or imap+starttls:// (TLS is required); "
            f"{parts.scheme or 'no scheme'}:// is not accepted."
        )
    if not parts.hostname or not parts.username:
        raise ImproperlyConfigured("IMAP_URL needs a user and a host: imaps://user:pw@host/INBOX")
    return ImapConfig(
        scheme=parts.scheme,
        host=parts.hostname,
        port=parts.port or SCHEMES[parts.scheme],
        username=unquote(parts.username),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
    )


class RawMailMessage(MailMessage):
    """imap-tools' message, keeping the bytes as the server sent them, parsed only if asked.

    imap-tools parses every fetched mail at once; a MIME bomb then raises inside
    ``fetch`` before the mail can be stored, and the poll would trip on it for ever.
    The poller only needs the bytes, the UID and the size: our own parser, which
    never raises, reads the rest.
    """

    def __init__(self, fetch_data: list) -> None:
        self.raw, self._raw_uid_data, self._raw_flag_data = self._get_message_data_parts(fetch_data)

    @cached_property
    def obj(self) -> Message:  # type: ignore[override]  # imap-tools sets it in __init__
        return email.message_from_bytes(self.raw)


class TlsMailBox(MailBox):
    email_message_class = RawMailMessage


class StartTlsMailBox(MailBoxStartTls):
    email_message_class = RawMailMessage


def tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=settings.IMAP_CA_FILE or None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def mailbox_open(config: ImapConfig) -> BaseMailBox:
    """A logged-in mailbox with ``config.folder`` selected."""
    box: BaseMailBox
    if config.scheme == "imaps":
        box = TlsMailBox(
            config.host, config.port, timeout=settings.IMAP_TIMEOUT, ssl_context=tls_context()
        )
    else:
        box = StartTlsMailBox(
            config.host, config.port, timeout=settings.IMAP_TIMEOUT, ssl_context=tls_context()
        )
    return box.login(config.username, config.password, initial_folder=config.folder)


@dataclass
class PollResult:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)


def mail_poll_imap(*, url: str | None = None) -> PollResult:
    """Fetch, store, mark and process up to IMAP_BATCH_SIZE new mails. One poll at a time."""
    config = imap_config(settings.IMAP_URL if url is None else url)
    if config is None:
        return PollResult()
    if not cache.add(LOCK_KEY, "1", timeout=settings.IMAP_TIMEOUT * 10):
        logger.info("An IMAP poll is already running; this one stands down.")
        return PollResult()
    try:
        with mailbox_open(config) as box:
            return _poll(box)
    finally:
        cache.delete(LOCK_KEY)


def _poll(box: BaseMailBox) -> PollResult:
    result = PollResult()
    processed_folder = settings.IMAP_PROCESSED_FOLDER
    if processed_folder and not box.folder.exists(processed_folder):
        box.folder.create(processed_folder)
    uids = box.uids(_new_mail_criteria(processed_folder))[: settings.IMAP_BATCH_SIZE]
    if not uids:
        return result
    sizes = {
        msg.uid: msg.size_rfc822
        for msg in box.fetch(uid_list=uids, headers_only=True, mark_seen=False, bulk=True)
    }
    for uid in uids:
        try:
            raw, size = _fetch_one(box, uid, sizes.get(uid, 0))
            received = inbound_receive(raw=raw, source=InboundSource.IMAP, size=size)
        except Exception as exc:  # left unmarked: the next poll tries it again
            logger.exception("IMAP message %s could not be stored", uid)
            result.errors.append(f"{uid}: {exc}")
            continue
        result.fetched += 1
        try:
            _mark_done(box, uid, processed_folder)  # only now that the row is saved
        except Exception as exc:  # stored all the same: the next poll finds a duplicate
            logger.exception("IMAP message %s could not be marked as processed", uid)
            result.errors.append(f"{uid}: {exc}")
        if received.created:
            result.stored += 1
            inbound_process(inbound_id=received.inbound.pk)
        else:
            result.duplicates += 1
    return result


def _fetch_one(box: BaseMailBox, uid: str, size: int) -> tuple[bytes, int]:
    """The whole mail; only its header when larger than the limit (stored as truncated)."""
    too_large = size > settings.INBOUND_EMAIL_MAX_BYTES
    [message] = list(box.fetch(uid_list=[uid], headers_only=too_large, mark_seen=False))
    raw = message.raw if isinstance(message, RawMailMessage) else message.obj.as_bytes()
    if too_large:
        return raw[:TRUNCATED_KEEP_BYTES], size
    return raw, size or len(raw)


def _new_mail_criteria(processed_folder: str) -> str:
    """Which mail is new: all of it when processed mail is moved away; else not ours yet.

    Our own keyword, not ``\\Seen``: a person who reads the support mailbox in
    a mail client would otherwise hide mail from the help desk for good.
    """
    if processed_folder:
        return "ALL"
    keyword = settings.IMAP_PROCESSED_KEYWORD
    return f"UNKEYWORD {keyword}" if keyword else "UNSEEN"


def _mark_done(box: BaseMailBox, uid: str, processed_folder: str) -> None:
    if processed_folder:
        box.move(uid, processed_folder)
        return
    flags = (
        [settings.IMAP_PROCESSED_KEYWORD, "\\Seen"]
        if settings.IMAP_PROCESSED_KEYWORD
        else ["\\Seen"]
    )
    # A plain UID STORE: imap-tools' flag() runs EXPUNGE afterwards, which would
    # erase mail another client had only marked as deleted.
    status, data = box.client.uid("STORE", uid, "+FLAGS", f"({' '.join(flags)})")
    if status != "OK":
        raise ImapMarkError(
            f"The server refused to flag mail {uid} as processed ({data!r}); if it does not "
            "allow its own keywords, set IMAP_PROCESSED_FOLDER or IMAP_PROCESSED_KEYWORD=''."
        )


class ImapMarkError(Exception):
    """Processed mail could not be marked: it would be fetched again (and found a duplicate)."""
