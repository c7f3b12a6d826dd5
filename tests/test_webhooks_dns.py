"""A receiver's name that does not resolve is a failure to retry, not a refused target.

A resolver hiccup (``EAI_AGAIN``) or a name not there yet (``EAI_NONAME``, a
receiver whose DNS has not propagated) passes; the outbox tries again with its
backoff and gives up only after its attempts. A slow resolver is bounded by
the delivery's ``WEBHOOK_TIMEOUT_SECONDS`` like the request itself. Resolution
is faked (``socket.getaddrinfo``); the receiver listens on 127.0.0.1.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from integrations.webhooks import targets
from integrations.webhooks.admin import WebhookSubscriptionForm
from integrations.webhooks.models import AttemptOutcome, WebhookAttempt
from tests.desk_helpers import ticket_from
from tests.webhook_receiver import (
    deliver,
    received,
    subscribe,
    webhook_rows,
)
from tickets.models import OutboxStatus

pytestmark = pytest.mark.django_db
_real_getaddrinfo = socket.getaddrinfo

NAME = "hooks.partner.example"


def test_a_dns_hiccup_is_retried_and_the_event_delivered_once_the_name_resolves(receiver, dns):
    dns.names[NAME] = ["127.0.0.1"]
    dns.failures[NAME] = [socket.EAI_AGAIN]
    subscribe(f"http://{NAME}:{receiver.port}/hook", ["ticket.created"])
    receiver.expect_request("/hook").respond_with_data("ok")
    ticket_from()
    [row] = webhook_rows()

    assert deliver(row).outcome == "retry"
    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING
    assert row.next_attempt_at > row.created_at
    assert received(receiver) == []
    assert deliver(row).outcome == "delivered"

    first, second = WebhookAttempt.objects.order_by("number")
    assert (first.outcome, first.status_code) == (AttemptOutcome.RETRY, None)
    assert first.error == (
        f"TargetUnresolved: The host name {NAME} could not be resolved "
        "([Errno -3] Temporary failure in name resolution)."
    )
    assert second.outcome == AttemptOutcome.DELIVERED
    assert len(received(receiver)) == 1


def test_a_name_that_does_not_exist_yet_is_retried_then_given_up_after_the_last_attempt(
    receiver, dns, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    dns.failures[NAME] = [socket.EAI_NONAME] * 3
    subscribe(f"http://{NAME}:{receiver.port}/hook", ["ticket.created"])
    ticket_from()
    [row] = webhook_rows()

    outcomes = [deliver(row).outcome for _ in range(3)]

    assert outcomes == ["retry", "retry", "failed"]
    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED
    assert row.last_error.startswith("Gave up after 3 attempts: TargetUnresolved: ")
    assert "Name or service not known" in row.last_error
    attempts = WebhookAttempt.objects.order_by("number")
    assert [a.outcome for a in attempts] == [
        AttemptOutcome.RETRY,
        AttemptOutcome.RETRY,
        AttemptOutcome.GAVE_UP,
    ]
    assert received(receiver) == []


def test_a_manager_saving_a_name_that_does_not_resolve_is_told_so(dns):
    dns.failures[NAME] = [socket.EAI_NONAME]
    form = WebhookSubscriptionForm(
        data={
            "name": "Partner",
            "url": f"https://{NAME}/hook",
            "events": ["ticket.created"],
            "is_active": "on",
        }
    )

    assert not form.is_valid()
    assert form.errors["url"] == [
        f"The host name {NAME} could not be resolved ([Errno -2] Name or service not known)."
    ]


class SlowResolver:
    """Takes ``delay`` seconds to resolve NAME to 127.0.0.1; with no delay, hangs until released."""

    def __init__(self) -> None:
        self.delay: float | None = None
        self.released = threading.Event()

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host != NAME:  # the connection to the checked address looks it up again, at once
            return _real_getaddrinfo(host, port, *args, **kwargs)
        self.released.wait(self.delay)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]


@pytest.fixture
def slow_resolver(monkeypatch) -> Iterator[SlowResolver]:
    resolver = SlowResolver()
    monkeypatch.setattr(targets.socket, "getaddrinfo", resolver)
    yield resolver
    resolver.released.set()  # the look-ups still waiting end with the test


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A receiver that accepts the connection and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield server.getsockname()[1]
    server.close()


def test_a_resolver_that_hangs_is_cut_off_at_the_delivery_timeout_and_retried(
    receiver, slow_resolver, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    subscribe(f"http://{NAME}:{receiver.port}/hook", ["ticket.created"])
    receiver.expect_request("/hook").respond_with_data("ok")
    ticket_from()
    [row] = webhook_rows()

    started = time.monotonic()
    result = deliver(row)
    took = time.monotonic() - started

    assert result.outcome == "retry"
    assert 0.4 <= took < 1.5
    [attempt] = WebhookAttempt.objects.all()
    assert attempt.outcome == AttemptOutcome.RETRY
    assert attempt.error == f"TargetUnresolved: The host name {NAME} was not resolved within 0.5 s."
    assert received(receiver) == []
    slow_resolver.delay = 0  # the resolver is back
    assert deliver(row).outcome == "delivered"
    assert len(received(receiver)) == 1


def test_the_time_spent_resolving_counts_against_the_delivery_timeout(
    receiver, slow_resolver, silent_port, settings
):
    """A slow (not hung) resolver and a receiver that never answers: one timeout for both."""
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    slow_resolver.delay = 0.7
    subscribe(f"http://{NAME}:{silent_port}/hook", ["ticket.created"])
    ticket_from()
    [row] = webhook_rows()

    started = time.monotonic()
    result = deliver(row)
    took = time.monotonic() - started

    assert result.outcome == "retry"
    assert 0.9 <= took < 1.5  # not 0.7 s for the name, then a whole second for the answer
    [attempt] = WebhookAttempt.objects.all()
    assert attempt.error == "WebhookTimeout: No answer within 1 s."
