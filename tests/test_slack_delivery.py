"""Slack alerts through the outbox, sent by the real slack-sdk WebClient to a local fake Slack.

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
from tests import factories
from tests.fake_slack import (
    CHANNEL,
    TOKEN,
    json_body,
    ok_post,
    requests_to,
    slack_error,
    slack_fixture,  # noqa: F401 - the "slack" fixture
    slack_server_fixture,  # noqa: F401 - the "slack_server" fixture
)
from tickets import alerts, outbox, services
from tickets.models import Channel, OutboxMessage, OutboxStatus

pytestmark = pytest.mark.django_db


def critical_ticket(subject: str = "Flow dashboard is down for everyone", **kwargs):
    partner = factories.PartnerFactory(name="Water Org", hub=factories.hub("east-africa"))
    return services.ticket_create(
        requester_email="wanjiku@partner.example.org",
        subject=subject,
        channel=Channel.WEB,
        partner=partner,
        product=factories.product("akvo-flow"),
        impact=factories.impact("critical"),
        **kwargs,
    )


def alert_row(ticket, event: str = "new_urgent") -> OutboxMessage:
    return OutboxMessage.objects.get(kind="slack_alert", ticket=ticket, payload__event=event)


def make_due(row: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())


def expected_blocks(
    ticket, headline: str, detail: str, status: str = "New", assignee: str = "Unassigned"
):
    link = f"{settings.SITE_URL}/desk/tickets/{ticket.pk}/"
    return [
        {"type": "header", "text": {"type": "plain_text", "text": headline, "emoji": True}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"*<{link}|{ticket.reference}> {ticket.subject}*"},
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": detail}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": "*Impact*\nCritical"},
                {"type": "mrkdwn", "text": "*Partner and hub*\nWater Org · East Africa"},
                {"type": "mrkdwn", "text": "*Product*\nAkvo Flow"},
                {"type": "mrkdwn", "text": f"*Status*\n{status}"},
                {"type": "mrkdwn", "text": f"*Assignee*\n{assignee}"},
                {"type": "mrkdwn", "text": "*Requester*\nwanjiku@partner.example.org"},
            ],
        },
        {
            "type": "actions",
            "block_id": f"helpdesk_ticket_{ticket.pk}",
            "elements": [
                {
                    "type": "button",
                    "action_id": "helpdesk_acknowledge",
                    "text": {"type": "plain_text", "text": "Acknowledge"},
                    "value": str(ticket.pk),
                },
                {
                    "type": "button",
                    "action_id": "helpdesk_assign_me",
                    "style": "primary",
                    "text": {"type": "plain_text", "text": "Assign to me"},
                    "value": str(ticket.pk),
                },
            ],
        },
    ]


def test_a_new_critical_ticket_posts_one_block_kit_alert_to_the_channel(slack):
    ticket = critical_ticket()
    row = alert_row(ticket)
    slack.expect_request("/chat.postMessage", method="POST").respond_with_json(ok_post())

    assert outbox.outbox_deliver_row(row.pk).outcome == "delivered"

    [request] = [r for r, _ in slack.log]
    assert request.path == "/chat.postMessage"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert json_body(request) == {
        "channel": CHANNEL,
        "text": (
            f":rotating_light: New urgent ticket · {ticket.reference} "
            "Flow dashboard is down for everyone · New ticket (Contact Us form)"
        ),
        "blocks": expected_blocks(
            ticket, ":rotating_light: New urgent ticket", "New ticket (Contact Us form)"
        ),
        "metadata": {"event_type": "helpdesk_alert", "event_payload": {"outbox_key": row.key}},
        "unfurl_links": False,
        "unfurl_media": False,
    }
    thread = SlackThread.objects.get(ticket=ticket)
    assert (thread.channel, thread.ts) == (CHANNEL, "1700000000.000100")
    row.refresh_from_db()
    assert row.status == OutboxStatus.DELIVERED
    assert row.result == {"channel": CHANNEL, "ts": "1700000000.000100", "thread_ts": ""}


def test_minor_tickets_do_not_alert_and_significant_ones_alert_when_configured(settings):
    minor = critical_ticket(subject="Typo on the login page")
    services.ticket_change_fields(
        ticket=minor, by=None, changes={"impact": factories.impact("minor")}
    )
    significant_impact = factories.impact("significant")
    quiet = services.ticket_create(
        requester_email="a@partner.example.org",
        subject="Exports are slow",
        channel=Channel.WEB,
        impact=significant_impact,
    )
    settings.SLACK_ALERT_IMPACTS = ["critical", "significant"]
    watched = services.ticket_create(
        requester_email="a@partner.example.org",
        subject="Exports fail",
        channel=Channel.WEB,
        impact=significant_impact,
    )
    assert not OutboxMessage.objects.filter(kind="slack_alert", ticket=quiet).exists()
    assert alert_row(watched).payload["event"] == "new_urgent"


def test_triage_raising_the_impact_to_critical_alerts_once():
    ticket = services.ticket_create(
        requester_email="a@partner.example.org",
        subject="Survey answers lost",
        channel=Channel.EMAIL,
        impact=factories.impact("minor"),
    )
    agent = factories.l1_agent()
    assert not OutboxMessage.objects.filter(kind="slack_alert").exists()

    for slug in ("critical", "minor", "critical"):
        services.ticket_change_fields(
            ticket=ticket, by=agent, changes={"impact": factories.impact(slug)}
        )

    [row] = OutboxMessage.objects.filter(kind="slack_alert", ticket=ticket)
    assert row.payload == {
        "ticket_id": ticket.pk,
        "event": "new_urgent",
        "detail": "Impact set to Critical",
    }


def test_later_alerts_about_the_same_ticket_go_in_the_thread_of_the_first(slack):
    ticket = critical_ticket()
    slack.expect_ordered_request("/chat.postMessage").respond_with_json(ok_post())
    slack.expect_ordered_request("/chat.postMessage").respond_with_json(
        ok_post(ts="1700000000.000200")
    )
    slack.expect_ordered_request("/chat.postMessage").respond_with_json(
        ok_post(ts="1700000000.000300")
    )
    outbox.outbox_deliver_row(alert_row(ticket).pk)
    alerts.alert_team(ticket=ticket, event="l2_update", key="l2:1", detail="L2 commented: fixed")
    alerts.alert_team(ticket=ticket, event="sla_breach", key="breach:1", detail="overdue")

    assert outbox.outbox_deliver_row(alert_row(ticket, "l2_update").pk).outcome == "delivered"
    assert outbox.outbox_deliver_row(alert_row(ticket, "sla_breach").pk).outcome == "delivered"

    first, l2, breach = (json_body(r) for r in requests_to(slack, "chat.postMessage"))
    assert "thread_ts" not in first
    assert (l2["thread_ts"], l2["reply_broadcast"]) == ("1700000000.000100", False)
    assert (breach["thread_ts"], breach["reply_broadcast"]) == ("1700000000.000100", True)
    assert l2["blocks"][0]["text"]["text"] == ":speech_balloon: L2 update"
    assert l2["blocks"][2]["text"]["text"] == "L2 commented: fixed"
    assert SlackPost.objects.filter(ticket=ticket, thread_ts="1700000000.000100").count() == 2


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
        lambda row_id, countdown=None: dispatched.append((row_id, countdown)) or True,
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
    assert dispatched == [(row.pk, 42.0)]  # handed back to the broker for then


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


def test_mention_tokens_in_user_text_never_ping_anyone(slack):
    ticket = critical_ticket(subject="<!channel> help @here <@U0ADMIN> <!everyone> & <!here>")
    slack.expect_request("/chat.postMessage").respond_with_json(ok_post())
    outbox.outbox_deliver_row(alert_row(ticket).pk)

    [request] = requests_to(slack, "chat.postMessage")
    raw = request.get_data(as_text=True)
    body = json_body(request)
    title = body["blocks"][1]["text"]["text"]
    assert title.endswith(
        "&lt;!channel&gt; help @\u2060here &lt;@U0ADMIN&gt; &lt;!everyone&gt; &amp; &lt;!here&gt;*"
    )
    for token in ("<!channel>", "<!here>", "<!everyone>", "<@U0ADMIN>", "@here"):
        assert token not in raw
        assert token not in body["text"]


def test_a_pressed_button_redraws_the_message_with_the_new_assignee(slack):
    ticket = critical_ticket()
    slack.expect_ordered_request("/chat.postMessage").respond_with_json(ok_post())
    slack.expect_ordered_request("/chat.update").respond_with_json(
        {"ok": True, "channel": CHANNEL, "ts": "1700000000.000100"}
    )
    outbox.outbox_deliver_row(alert_row(ticket).pk)
    agent = factories.l1_agent(first_name="Amina", last_name="Otieno")
    services.ticket_assign(ticket=ticket, assignee=agent, by=agent)
    services.ticket_acknowledge(ticket=ticket, by=agent, via="Slack")
    row = outbox.outbox_add(
        kind="slack_update", key="u:1", payload={"channel": CHANNEL, "ts": "1700000000.000100"}
    )

    assert outbox.outbox_deliver_row(row.pk).outcome == "delivered"

    [update] = requests_to(slack, "chat.update")
    body = json_body(update)
    assert (body["channel"], body["ts"]) == (CHANNEL, "1700000000.000100")
    blocks = expected_blocks(
        ticket,
        ":rotating_light: New urgent ticket",
        "New ticket (Contact Us form)",
        assignee="Amina Otieno",
    )
    blocks.insert(
        4,
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "Acknowledged by Amina Otieno"}],
        },
    )
    assert body["blocks"] == blocks


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


def test_a_private_answer_is_sent_as_an_ephemeral_message(slack):
    slack.expect_request("/chat.postEphemeral").respond_with_json(
        {"ok": True, "message_ts": "1700000000.000500"}
    )
    row = outbox.outbox_add(
        kind="slack_ephemeral",
        key="e:1",
        payload={"channel": "C111", "user": "W111", "text": "Not linked <!here>"},
    )

    assert outbox.outbox_deliver_row(row.pk).outcome == "delivered"

    [request] = requests_to(slack, "chat.postEphemeral")
    assert json_body(request) == {
        "channel": "C111",
        "user": "W111",
        "text": "Not linked &lt;!here&gt;",
    }


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
