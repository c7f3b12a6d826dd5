"""Outgoing webhooks delivered to a partner's receiver on 127.0.0.1, through the outbox.

A manager has subscribed the receiver; tickets happen; each delivery is one
signed POST that the README's own snippet verifies; failures retry with the same
event id, hangs are cut off, and nothing personal leaves unless asked for.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import timezone

from integrations.webhooks import handlers
from integrations.webhooks.models import AttemptOutcome, WebhookAttempt
from tests import factories
from tests.desk_helpers import ticket_from
from tests.portal_helpers import contact_data, send_contact_form, submit_review
from tests.webhook_receiver import (
    SECRET,
    body,
    deliver,
    readme_verify,
    received,
    subscribe,
    webhook_rows,
)
from tickets import outbox, services
from tickets.models import OutboxMessage, OutboxStatus, Status, Ticket

pytestmark = pytest.mark.django_db


def test_a_contact_us_ticket_reaches_the_subscriber_as_one_post_the_readme_snippet_verifies(
    receiver, settings
):
    settings.PORTAL_MIN_FILL_SECONDS = 0
    subscribe(receiver.url_for("/helpdesk-events"), ["ticket.created"])
    receiver.expect_request("/helpdesk-events", method="POST").respond_with_data("thanks")
    partner = Client()
    started = partner.get("/contact/").context["form"].initial["started"]

    assert send_contact_form(partner, contact_data(started=started)).status_code == 302
    submit_review(partner)
    ticket = Ticket.objects.get()
    [row] = webhook_rows()
    assert deliver(row).outcome == "delivered"

    [request] = received(receiver)
    assert readme_verify()(SECRET, request.headers, request.get_data()) is True
    assert readme_verify()("another-secret", request.headers, request.get_data()) is False
    event = body(request)
    assert request.headers["X-Helpdesk-Event-Id"] == event["id"] == row.payload["event_id"]
    assert request.headers["X-Helpdesk-Event-Type"] == event["type"] == "ticket.created"
    assert request.headers["Content-Type"] == "application/json"
    assert event["created_at"].endswith("Z")
    assert event["data"]["ticket"] == {
        "id": ticket.pk,
        "reference": ticket.reference,
        "status": "new",
        "escalation_status": "none",
        "channel": "web",
        "product": "akvo-flow",
        "category": "bug",
        "impact": None,
        "is_urgent": False,
        "created_at": event["data"]["ticket"]["created_at"],
        "desk_url": f"{settings.SITE_URL}/desk/tickets/{ticket.pk}/",
    }
    [attempt] = WebhookAttempt.objects.all()
    assert (attempt.number, attempt.status_code, attempt.outcome) == (1, 200, "delivered")


def test_a_signature_older_than_five_minutes_or_tampered_does_not_verify(receiver):
    subscribe(receiver.url_for("/hook"), ["ticket.created"])
    receiver.expect_request("/hook").respond_with_data("ok")
    ticket_from()
    deliver(webhook_rows()[0])
    [request] = received(receiver)
    verify = readme_verify()
    headers = dict(request.headers)

    assert verify(SECRET, headers, request.get_data() + b" ") is False
    headers["X-Helpdesk-Timestamp"] = str(int(headers["X-Helpdesk-Timestamp"]) - 301)
    assert verify(SECRET, headers, request.get_data()) is False


def test_nothing_personal_leaves_unless_the_subscription_asks_for_it(receiver):
    receiver.expect_request("/plain").respond_with_data("ok")
    receiver.expect_request("/personal").respond_with_data("ok")
    subscribe(receiver.url_for("/plain"), ["ticket.created"])
    subscribe(receiver.url_for("/personal"), ["ticket.created"], include_personal_data=True)

    ticket_from("amina@partner.example.org", name="Amina Odhiambo", subject="Export stops")
    for row in webhook_rows():
        assert deliver(row).outcome == "delivered"

    by_path = {request.path: request for request in received(receiver)}
    plain, personal = by_path["/plain"], by_path["/personal"]
    for private in (b"amina", b"Amina", b"Export stops", b"household"):
        assert private not in plain.get_data(), private
    assert body(personal)["data"]["personal"] == {
        "requester": {"name": "Amina Odhiambo", "email": "amina@partner.example.org"},
        "subject": "Export stops",
    }
    # One event, one id, whoever receives it.
    assert body(plain)["id"] == body(personal)["id"]


def test_a_500_is_retried_and_delivered_once_with_the_same_event_id_and_body(receiver):
    subscribe(receiver.url_for("/hook"), ["ticket.created"])
    receiver.expect_oneshot_request("/hook").respond_with_data("down", status=500)
    receiver.expect_request("/hook").respond_with_data("ok")
    ticket_from()
    [row] = webhook_rows()

    first = deliver(row)
    row.refresh_from_db()
    assert (first.outcome, row.status, row.attempts) == ("retry", OutboxStatus.PENDING, 1)
    assert "HTTP 500" in row.last_error
    assert row.next_attempt_at > row.created_at
    assert deliver(row).outcome == "delivered"

    failed, delivered = received(receiver)
    assert failed.headers["X-Helpdesk-Event-Id"] == delivered.headers["X-Helpdesk-Event-Id"]
    assert failed.get_data() == delivered.get_data()
    assert readme_verify()(SECRET, delivered.headers, delivered.get_data())
    attempts = WebhookAttempt.objects.order_by("number")
    assert [(a.number, a.status_code, a.outcome) for a in attempts] == [
        (1, 500, AttemptOutcome.RETRY),
        (2, 200, AttemptOutcome.DELIVERED),
    ]


def test_a_receiver_that_keeps_failing_is_given_up_after_the_last_attempt(receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    subscribe(receiver.url_for("/hook"), ["ticket.created"])
    receiver.expect_request("/hook").respond_with_data("busy", status=503)
    ticket_from()
    [row] = webhook_rows()

    outcomes = [deliver(row).outcome for _ in range(4)]

    row.refresh_from_db()
    assert outcomes == ["retry", "retry", "failed", "skipped"]
    assert row.status == OutboxStatus.FAILED
    assert row.last_error.startswith("Gave up after 3 attempts")
    assert len(received(receiver)) == 3
    assert WebhookAttempt.objects.filter(outcome=AttemptOutcome.GAVE_UP).count() == 1


@pytest.mark.parametrize(
    ("status", "outcome", "still_active"),
    [(404, "failed", True), (302, "failed", True), (410, "failed", False), (429, "retry", True)],
)
def test_what_each_answer_means(receiver, status, outcome, still_active):
    subscription = subscribe(receiver.url_for("/hook"), ["ticket.created"])
    receiver.expect_request("/hook").respond_with_data("", status=status)
    ticket_from()

    assert deliver(webhook_rows()[0]).outcome == outcome
    subscription.refresh_from_db()
    assert subscription.is_active is still_active
    ticket_from()
    assert len(webhook_rows()) == (2 if still_active else 1)


@pytest.fixture
def silent_receiver() -> Iterator[str]:
    """A receiver that accepts the connection and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)  # the kernel completes the handshakes; nobody ever reads
    yield f"http://127.0.0.1:{server.getsockname()[1]}/hook"
    server.close()


@pytest.fixture
def dripping_receiver() -> Iterator[str]:
    """A receiver that answers one byte every 0.1 s, forever (a socket timeout never fires)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def drip() -> None:
        connection, _ = server.accept()
        with connection:
            connection.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 1000:
                if stop.is_set():
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.1)

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/hook"
    stop.set()
    server.close()
    thread.join(timeout=2)


@pytest.mark.parametrize("hanging", ["silent_receiver", "dripping_receiver"])
def test_a_receiver_that_hangs_is_cut_off_at_the_timeout_and_retried_later(
    receiver, settings, request, hanging
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    subscribe(request.getfixturevalue(hanging), ["ticket.created"])
    ticket_from()
    [row] = webhook_rows()

    started = time.monotonic()
    result = deliver(row)
    took = time.monotonic() - started

    assert result.outcome == "retry"
    assert 0.5 <= took < 1.5
    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING
    [attempt] = WebhookAttempt.objects.all()
    assert attempt.outcome == AttemptOutcome.RETRY
    assert attempt.error == "WebhookTimeout: No answer within 0.5 s."
    assert attempt.status_code is None
    assert 500 <= (attempt.duration_ms or 0) < 1500


def test_a_failed_delivery_stays_visible_until_it_is_delivered(receiver):
    subscribe(receiver.url_for("/hook"), ["ticket.status_changed"])
    receiver.expect_oneshot_request("/hook").respond_with_data("", status=502)
    receiver.expect_request("/hook").respond_with_data("ok")
    agent = factories.l1_agent()
    ticket = ticket_from()

    services.ticket_change_status(ticket=ticket, status=Status.OPEN, by=agent)
    [row] = webhook_rows()
    deliver(row)
    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING
    assert row.last_error

    deliver(row)
    row.refresh_from_db()
    assert row.status == OutboxStatus.DELIVERED
    assert [body(r)["data"]["change"] for r in received(receiver)] == [
        {"from": "new", "to": "open"}
    ] * 2


def test_a_turned_off_or_deleted_subscription_receives_nothing_more(receiver):
    kept = subscribe(receiver.url_for("/kept"), ["ticket.created"])
    dropped = subscribe(receiver.url_for("/dropped"), ["ticket.created"])
    ticket_from()
    kept.is_active = False
    kept.save()  # as the manager does it in the back office
    dropped.delete()

    results = []
    for row in webhook_rows():
        assert deliver(row).outcome == "delivered"
        row.refresh_from_db()
        results.append(row.result)
    assert results == [
        {"skipped": "the subscription is turned off"},
        {"skipped": "the subscription was deleted"},
    ]
    assert received(receiver) == []
    ticket_from()
    assert len(webhook_rows()) == 2  # no new row for either


def test_delivered_rows_are_purged_with_their_attempts_after_the_keeping_period(receiver):
    subscribe(receiver.url_for("/hook"), ["ticket.created"])
    receiver.expect_request("/hook").respond_with_data("ok")
    ticket_from()
    deliver(webhook_rows()[0])

    outbox.outbox_purge_delivered(older_than_days=0)
    assert webhook_rows() == []
    assert not WebhookAttempt.objects.exists()


def test_a_worker_lost_mid_request_leaves_its_attempt_visible_and_the_event_goes_again(
    receiver, monkeypatch
):
    """Receivers de-duplicate on the event id, so the outbox simply sends it again."""
    subscribe(receiver.url_for("/hook"), ["ticket.created"])
    receiver.expect_request("/hook").respond_with_data("ok")
    ticket_from()
    [row] = webhook_rows()

    def killed(*args, **kwargs):
        raise SystemExit("the worker was killed mid-request")

    monkeypatch.setattr(handlers, "post", killed)
    with pytest.raises(SystemExit):
        deliver(row)
    monkeypatch.undo()
    OutboxMessage.objects.filter(pk=row.pk).update(lease_expires_at=timezone.now())
    outbox.outbox_sweep()  # the lease ran out: the row is taken back
    assert deliver(row).outcome == "delivered"

    lost, sent = WebhookAttempt.objects.order_by("number")
    assert (lost.number, lost.outcome, lost.status_code) == (1, AttemptOutcome.SENDING, None)
    assert (sent.number, sent.outcome, sent.status_code) == (2, AttemptOutcome.DELIVERED, 200)
    [request] = received(receiver)
    assert request.headers["X-Helpdesk-Event-Id"] == row.payload["event_id"]
