"""Slack alerts through the outbox, sent by the real slack-sdk WebClient to a local fake Slack.

Each test asserts the exact requests the local server received.
"""

from __future__ import annotations

import pytest

from integrations.slack.models import SlackPost, SlackThread
from tests import factories
from tests.fake_slack import (
    CHANNEL,
    TOKEN,
    json_body,
    ok_post,
    requests_to,
)
from tests.slack_helpers import alert_row, critical_ticket, expected_blocks
from tickets import alerts, outbox, services
from tickets.models import Channel, OutboxMessage, OutboxStatus

pytestmark = pytest.mark.django_db


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
