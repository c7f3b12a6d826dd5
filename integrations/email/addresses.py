"""The per-ticket reply address, and how to recognise our own addresses and Message-IDs.

Mail to a requester carries ``Reply-To: support+<key>@…`` where the key is the
ticket's number and a digest of the ticket's secret token. A reply is matched to
its ticket by that address, so the subject (which anyone can type) is never
trusted, and the portal token itself never appears in a header.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from email.utils import formataddr, parseaddr
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from tickets.models import Ticket

# Where the ticket's key goes in EMAIL_REPLY_ADDRESS (e.g. support+{key}@example.org).
REPLY_KEY_SLOT = "{key}"
DIGEST_LENGTH = 16
# The thread id <ticket-12-<ticket digest>@domain>, and the Message-ID of each mail
# about ticket 12, <ticket-12-<ticket digest>.<row digest>@domain>
# (handlers.stable_message_id): signed like the reply address, so a forged
# In-Reply-To naming a ticket number matches nothing.
THREAD_ID_RE_TEMPLATE = (
    r"<ticket-(\d{{1,18}})-([0-9a-f]{{{digest}}})(?:\.[0-9a-f]{{32}})?@{domain}>"
)


def support_address() -> tuple[str, str]:
    """(display name, address) of DEFAULT_FROM_EMAIL."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return name, address.lower()


def reply_address_pattern() -> str:
    """EMAIL_REPLY_ADDRESS, or the support address plus-addressed when it is not set."""
    pattern = settings.EMAIL_REPLY_ADDRESS
    if not pattern:
        local, _, domain = support_address()[1].partition("@")
        pattern = f"{local}+{REPLY_KEY_SLOT}@{domain}"
    if pattern.count(REPLY_KEY_SLOT) != 1 or "@" not in pattern:
        raise ImproperlyConfigured(
            f"EMAIL_REPLY_ADDRESS must be an address with one {REPLY_KEY_SLOT}, "
            f"e.g. support+{REPLY_KEY_SLOT}@example.org; it is {pattern!r}."
        )
    return pattern


def _digest(ticket: Ticket) -> str:
    # Derived from the ticket's own secret token: unguessable, stable across
    # SECRET_KEY rotations, and it does not reveal the token (the portal key).
    return hmac.new(ticket.token.encode(), b"reply-address", hashlib.sha256).hexdigest()[
        :DIGEST_LENGTH
    ]


def reply_key(ticket: Ticket) -> str:
    return f"{ticket.pk}-{_digest(ticket)}"


def thread_tag(ticket: Ticket) -> str:
    """``ticket-12-<digest>``: what our Message-IDs about a ticket start with."""
    return f"ticket-{reply_key(ticket)}"


def reply_address(ticket: Ticket) -> str:
    return reply_address_pattern().replace(REPLY_KEY_SLOT, reply_key(ticket))


def reply_to_header(ticket: Ticket) -> str:
    """``Support <support+12-…@…>``: the display name of the From, the ticket's address."""
    return formataddr((support_address()[0], reply_address(ticket)))


@lru_cache(maxsize=8)
def _reply_re(pattern: str) -> re.Pattern[str]:
    before, after = pattern.split(REPLY_KEY_SLOT)
    key = rf"(\d{{1,18}})-([0-9a-f]{{{DIGEST_LENGTH}}})"
    return re.compile(rf"^{re.escape(before)}{key}{re.escape(after)}$", re.IGNORECASE)


def ticket_from_reply_addresses(addresses: Iterable[str]) -> Ticket | None:
    """The ticket whose reply address is among ``addresses`` (checked digest), if any."""
    regex = _reply_re(reply_address_pattern())
    for address in addresses:
        match = regex.match(address.strip())
        if not match:
            continue
        ticket = Ticket.objects.filter(pk=int(match.group(1))).first()
        if ticket is not None and hmac.compare_digest(_digest(ticket), match.group(2).lower()):
            return ticket
    return None


def is_our_address(address: str) -> bool:
    """The support address itself or any ticket's reply address (mail from it is a loop)."""
    address = address.strip().lower()
    if not address:
        return False
    return address == support_address()[1] or bool(
        _reply_re(reply_address_pattern()).match(address)
    )


def tickets_from_thread_ids(message_ids: Iterable[str]) -> list[Ticket]:
    """The tickets our Message-IDs among ``message_ids`` name, their digests checked."""
    regex = re.compile(
        THREAD_ID_RE_TEMPLATE.format(
            digest=DIGEST_LENGTH, domain=re.escape(settings.EMAIL_MESSAGE_ID_DOMAIN)
        ),
        re.IGNORECASE,
    )
    named = [
        (int(m.group(1)), m.group(2).lower())
        for mid in message_ids
        if (m := regex.fullmatch(mid.strip()))
    ]
    found = Ticket.objects.in_bulk([pk for pk, _digest_ in named])
    return [
        found[pk]
        for pk, digest in named
        if pk in found and hmac.compare_digest(digest, _digest(found[pk]))
    ]


def is_our_message_id(message_id: str) -> bool:
    return message_id.strip().lower().endswith(f"@{settings.EMAIL_MESSAGE_ID_DOMAIN.lower()}>")
