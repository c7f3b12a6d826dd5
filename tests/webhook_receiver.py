"""A subscriber's receiver on 127.0.0.1 and the README's verification snippet (webhook tests).

The receiver is pytest-httpserver (scripted answers, a log of the exact requests);
the snippet is read from README.md's "Outgoing webhooks" section and run as it
is, so the documentation is what the tests prove.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request

from integrations.webhooks.models import WebhookSubscription
from tickets import outbox
from tickets.models import OutboxMessage, OutboxStatus
from tickets.outbox_kinds import OutboxKind

README = Path(__file__).resolve().parent.parent / "README.md"
SECRET = "whsec_test_secret_for_the_partner_receiver"
_real_getaddrinfo = socket.getaddrinfo


# What glibc says for each resolver error the tests raise.
RESOLVER_ERRORS = {
    socket.EAI_AGAIN: "Temporary failure in name resolution",
    socket.EAI_NONAME: "Name or service not known",
}


class FakeDNS:
    """Names the tests made up resolve to what the test says; everything else as usual.

    ``failures[name]`` lists resolver errors (``socket.EAI_…``) the next look-ups
    of the name meet, one each, before it resolves again.
    """

    def __init__(self) -> None:
        self.names: dict[str, list[str]] = {}
        self.failures: dict[str, list[int]] = {}

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if self.failures.get(host):
            code = self.failures[host].pop(0)
            raise socket.gaierror(code, RESOLVER_ERRORS[code])
        if host in self.names:
            return [
                (
                    socket.AF_INET6 if ":" in ip else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (ip, port),
                )
                for ip in self.names[host]
            ]
        return _real_getaddrinfo(host, port, *args, **kwargs)


@pytest.fixture(name="dns")
def dns_fixture(monkeypatch: Any) -> FakeDNS:
    fake = FakeDNS()
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


def readme_verify() -> Callable[..., bool]:
    """``verify_helpdesk_webhook`` exactly as README.md documents it."""
    section = README.read_text().split("## Outgoing webhooks", 1)[1].split("\n## ", 1)[0]
    [code] = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # noqa: S102 - our own README's snippet, the point of the test
    return namespace["verify_helpdesk_webhook"]


@pytest.fixture(scope="module", name="receiver_server")
def receiver_server_fixture() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture(name="receiver")
def receiver_fixture(receiver_server: HTTPServer, settings: Any) -> HTTPServer:
    """A clean receiver, and settings that let the tests send to it (plain http on loopback)."""
    receiver_server.clear()
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    return receiver_server


def subscribe(url: str, events: list[str], **fields: Any) -> WebhookSubscription:
    return WebhookSubscription.objects.create(
        name="Partner dashboard", url=url, events=events, secret=SECRET, **fields
    )


def webhook_rows() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind=OutboxKind.WEBHOOK).order_by("pk"))


def deliver(row: OutboxMessage) -> outbox.DeliveryResult:
    """Deliver one row now, as the worker would once it is due (a retry's wait skipped)."""
    OutboxMessage.objects.filter(pk=row.pk, status=OutboxStatus.PENDING).update(
        next_attempt_at=row.created_at
    )
    return outbox.outbox_deliver_row(row.pk)


def received(server: HTTPServer) -> list[Request]:
    return [request for request, _response in server.log]


def body(request: Request) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(request.get_data())
    return document
