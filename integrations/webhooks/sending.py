"""One signed POST to a checked target, within a hard time limit.

The standard library's ``http.client`` is used rather than requests: it lets the
connection go to the addresses the SSRF guard checked (``Target.addresses``) while
the Host header and the TLS server name stay the URL's host, it never follows a
redirect, and it reads no more of the answer than asked. A watchdog shuts the
socket down when ``WEBHOOK_TIMEOUT_SECONDS`` have passed since the delivery
started (resolving the name took part of them, see ``targets``), so a
receiver that accepts and then says nothing, or drips its answer a byte at a
time, never holds a worker longer than that (a socket timeout alone restarts
with every byte).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import socket
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from integrations.webhooks.targets import Target

RESPONSE_READ_BYTES = 64 * 1024
USER_AGENT = "Helpdesk-Webhooks/1"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``v1=`` and the hex HMAC-SHA256 of ``{timestamp}.{body}`` (README, "Outgoing webhooks")."""
    signed = timestamp.encode() + b"." + body
    return "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signed_headers(
    *, secrets: Sequence[str], event_id: str, event_type: str, body: bytes
) -> dict[str, str]:
    """The headers of one attempt; one ``v1=`` signature per secret, comma-separated.

    Two secrets while a replaced one is still in its grace period (README); the
    receiver accepts the delivery if any of them verifies.
    """
    timestamp = str(int(time.time()))
    signatures = ", ".join(signature(secret, timestamp, body) for secret in secrets)
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Helpdesk-Event-Id": event_id,
        "X-Helpdesk-Event-Type": event_type,
        "X-Helpdesk-Timestamp": timestamp,
        "X-Helpdesk-Signature": signatures,
    }


class WebhookTimeout(Exception):
    """The receiver did not answer in time."""


@dataclass(frozen=True)
class Answer:
    status: int
    excerpt: str


def _connect(addresses: tuple[str, ...], port: int, deadline: float) -> socket.socket:
    """A connection to the first checked address that answers (never the name resolved again).

    The watchdog cannot reach a socket still connecting: each try gets the time left.
    """
    error: OSError | None = None
    for address in addresses:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("No time left to connect.")
        try:
            return socket.create_connection((address, port), left)
        except OSError as failed:
            error = failed
    raise error or OSError("No address to connect to.")


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.addresses = target.addresses
        self.deadline = time.monotonic() + timeout

    def connect(self) -> None:
        self.sock = _connect(self.addresses, self.port, self.deadline)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=context)
        self.addresses = target.addresses
        self.deadline = time.monotonic() + timeout
        self.tls = context

    def connect(self) -> None:
        # Kept before the handshake too, so the watchdog can cut a handshake that drags.
        self.sock = sock = _connect(self.addresses, self.port, self.deadline)
        # The certificate is checked against the URL's host name, as without pinning.
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def tls_context() -> ssl.SSLContext:
    """The system's trusted CAs, certificate and host name checked (tests replace it)."""
    return ssl.create_default_context()


def _connection(target: Target, timeout: float) -> http.client.HTTPConnection:
    if target.scheme == "https":
        return _PinnedHTTPS(target, timeout, tls_context())
    return _PinnedHTTP(target, timeout)


def post(
    target: Target,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    deadline: float | None = None,
) -> Answer:
    """POST ``body``; the answer's status and beginning, or an exception (WebhookTimeout…).

    ``timeout`` is the delivery's whole time; ``deadline`` (``time.monotonic()``)
    when it ends, if it started before this call.
    """
    left = timeout if deadline is None else deadline - time.monotonic()
    if left <= 0:
        raise WebhookTimeout(f"No answer within {timeout:g} s.")
    connection = _connection(target, left)
    expired = threading.Event()

    def cut_off() -> None:
        expired.set()
        sock = connection.sock
        if sock is not None:
            # Already closed: the request ended just as the time ran out.
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(left, cut_off)
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(RESPONSE_READ_BYTES)
        return Answer(response.status, excerpt[:1000].decode("utf-8", "replace"))
    except (OSError, http.client.HTTPException) as error:
        if expired.is_set() or isinstance(error, TimeoutError):
            raise WebhookTimeout(f"No answer within {timeout:g} s.") from error
        raise
    finally:
        watchdog.cancel()
        connection.close()
