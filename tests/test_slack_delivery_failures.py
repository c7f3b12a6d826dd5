"""Slack failing, slow or busy: one message whatever happens, clear errors, nothing blocked.

Each test asserts the exact requests the local server received.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from integrations.slack import client as slack_client_module
from integrations.slack.models import SlackPost, SlackThread
from tests.fake_slack import (
    CHANNEL,
    TOKEN,
    json_body,
    ok_post,
    requests_to,
    slack_error,
)
from tests.slack_helpers import alert_row, critical_ticket, make_due
from tickets import outbox
from tickets.models import OutboxMessage, OutboxStatus

pytestmark = pytest.mark.django_db


def test_a_500_then_200_posts_exactly_one_message(slack):
    """The SDK's retry handlers are off: the outbox retries, after checking the channel."""
    ticket = critical_ticket()
    row = alert_row(ticket)
    slack.expect_ordered_request("/chat.postMessage").respond_with_data(
        "<html>Internal Server Error</html>", status=500
    )
    slack.expect_ordered_request("/conversations.history").respond_with_json(
        {"ok": True, "messages": [], "has_more": False}
    )
    slack.expect_ordered_request("/chat.postMessage").respond_with_json(ok_post())

    first = outbox.outbox_deliver_row(row.pk)
    assert first.outcome == "retry"
    assert "HTTP 500" in first.error
    assert len(slack.log) == 1  # the SDK itself did not try again
    assert not SlackThread.objects.exists()  # the thread claim is released for the retry

    make_due(row)
    assert outbox.outbox_deliver_row(row.pk).outcome == "delivered"
    make_due(row)
    assert outbox.outbox_deliver_row(row.pk).outcome == "skipped"

    assert [r.path for r, _ in slack.log] == [
        "/chat.postMessage",
        "/conversations.history",
        "/chat.postMessage",
    ]
    history = requests_to(slack, "conversations.history")[0]
    assert history.form["channel"] == CHANNEL
    assert history.form["include_all_metadata"] in ("1", "true", "True")
    assert SlackPost.objects.filter(ticket=ticket).count() == 1
    slack.check_assertions()


def test_a_retry_after_an_unclear_failure_finds_the_message_and_does_not_post_it_again(slack):
    ticket = critical_ticket()
    row = alert_row(ticket)
    slack.expect_ordered_request("/chat.postMessage").respond_with_data("", status=502)
    slack.expect_ordered_request("/conversations.history").respond_with_json(
        {
            "ok": True,
            "messages": [
                {"ts": "1700000000.000999", "text": "someone else"},
                {
                    "ts": "1700000000.000100",
                    "metadata": {
                        "event_type": "helpdesk_alert",
                        "event_payload": {"outbox_key": row.key},
                    },
                },
            ],
        }
    )
    assert outbox.outbox_deliver_row(row.pk).outcome == "retry"
    make_due(row)
    assert outbox.outbox_deliver_row(row.pk).outcome == "delivered"

    assert len(requests_to(slack, "chat.postMessage")) == 1
    assert SlackThread.objects.get(ticket=ticket).ts == "1700000000.000100"


def test_a_429_is_rescheduled_at_retry_after_without_sleeping_or_using_an_attempt(
    slack, monkeypatch
):
    ticket = critical_ticket()
    row = alert_row(ticket)
    dispatched: list[tuple[int, float | None]] = []
    monkeypatch.setattr(
        outbox,
        "outbox_dispatch",
        lambda row_id, kind, countdown=None: dispatched.append((row_id, countdown)) or True,
    )
    slack.expect_request("/chat.postMessage").respond_with_response(
        slack_error("ratelimited", status=429, headers={"Retry-After": "42"})
    )

    started = time.monotonic()
    result = outbox.outbox_deliver_row(row.pk)
    took = time.monotonic() - started

    assert result.outcome == "deferred"
    assert took < 5  # a worker that slept 42 s would show it here
    assert len(requests_to(slack, "chat.postMessage")) == 1
    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING
    assert row.attempts == 0
    wait = row.next_attempt_at - timezone.now()
    assert timedelta(seconds=38) < wait <= timedelta(seconds=42)
    assert "Retry-After" in row.last_error
    assert dispatched == []  # a wait this long stays in the database, for the sweeper


@pytest.mark.parametrize(
    ("error", "says"),
    [
        ("invalid_auth", "SLACK_BOT_TOKEN"),
        ("channel_not_found", "SLACK_URGENT_CHANNEL"),
        ("not_in_channel", "/invite"),
        ("account_inactive", "deactivated"),
    ],
)
def test_configuration_errors_fail_at_once_with_a_clear_message(slack, error, says):
    ticket = critical_ticket()
    row = alert_row(ticket)
    slack.expect_request("/chat.postMessage").respond_with_response(slack_error(error))

    assert outbox.outbox_deliver_row(row.pk).outcome == "failed"
    make_due(row)
    assert outbox.outbox_deliver_row(row.pk).outcome == "skipped"

    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED
    assert row.attempts == 1
    assert error in row.last_error
    assert says in row.last_error
    assert len(slack.log) == 1  # no retry storm


def test_without_a_token_alerts_wait_visibly_and_send_nothing(slack, settings):
    settings.SLACK_BOT_TOKEN = ""
    ticket = critical_ticket()
    row = alert_row(ticket)

    assert outbox.outbox_deliver_row(row.pk).outcome == "deferred"

    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 0)
    assert row.last_error == "Slack is not configured (SLACK_BOT_TOKEN is empty)."
    assert slack.log == []


def test_slack_being_down_never_blocks_a_ticket_and_the_alert_retries(settings):
    settings.SLACK_BOT_TOKEN = TOKEN
    settings.SLACK_URGENT_CHANNEL = CHANNEL
    settings.SLACK_API_URL = "http://127.0.0.1:9/api/"  # nothing listens on the discard port

    ticket = critical_ticket()
    assert ticket.pk is not None
    result = outbox.outbox_deliver_row(alert_row(ticket).pk)

    assert result.outcome == "retry"
    row = alert_row(ticket)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert row.next_attempt_at > timezone.now()


def test_the_sdk_client_is_built_without_retry_handlers(settings):
    settings.SLACK_BOT_TOKEN = TOKEN
    client = slack_client_module.slack_client()
    assert client.retry_handlers == []
    assert client.base_url == settings.SLACK_API_URL


def test_an_alert_waits_while_another_worker_posts_the_tickets_first_message(slack):
    ticket = critical_ticket()
    SlackThread.objects.create(ticket=ticket, claimed_at=timezone.now())  # being posted
    row = alert_row(ticket)

    result = outbox.outbox_deliver_row(row.pk)

    assert result.outcome == "deferred"
    assert "Waiting for the first Slack message" in result.error
    assert slack.log == []
    row.refresh_from_db()
    assert row.attempts == 0


def test_a_claim_left_by_a_lost_worker_lapses_and_the_alert_starts_the_thread(slack):
    ticket = critical_ticket()
    lost = timezone.now() - timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1)
    SlackThread.objects.create(ticket=ticket, claimed_at=lost)
    slack.expect_request("/chat.postMessage").respond_with_json(ok_post())

    assert outbox.outbox_deliver_row(alert_row(ticket).pk).outcome == "delivered"
    assert "thread_ts" not in json_body(requests_to(slack, "chat.postMessage")[0])
    assert SlackThread.objects.get(ticket=ticket).ts == "1700000000.000100"


def test_retry_now_after_the_last_attempt_failed_unclearly_still_looks_before_posting(
    slack, settings
):
    """An admin's "Retry now" starts the attempts again; the message may be in the channel."""
    settings.OUTBOX_MAX_ATTEMPTS = 1
    ticket = critical_ticket()
    row = alert_row(ticket)
    slack.expect_ordered_request("/chat.postMessage").respond_with_data("", status=502)
    slack.expect_ordered_request("/conversations.history").respond_with_json(
        {
            "ok": True,
            "messages": [
                {
                    "ts": "1700000000.000100",
                    "metadata": {
                        "event_type": "helpdesk_alert",
                        "event_payload": {"outbox_key": row.key},
                    },
                }
            ],
        }
    )
    assert outbox.outbox_deliver_row(row.pk).outcome == "failed"

    outbox.outbox_retry_now(rows=[OutboxMessage.objects.get(pk=row.pk)])
    assert outbox.outbox_deliver_row(row.pk).outcome == "delivered"

    assert [r.path for r, _ in slack.log] == ["/chat.postMessage", "/conversations.history"]
    assert SlackPost.objects.get(ticket=ticket).ts == "1700000000.000100"
    slack.check_assertions()
