"""Requests from Slack: signatures checked with the real fixtures, buttons and /helpdesk."""

from __future__ import annotations

import json
import time
from urllib.parse import quote

import pytest
from django.test import Client

from integrations.slack import webhooks
from integrations.slack.models import SlackUser
from tests import factories
from tests.fake_slack import SIGNING_SECRET, fixture_bytes, sign
from tests.unchanged import nothing_changes
from tickets import services
from tickets.models import Channel, MessageKind, OutboxMessage, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

INTERACTIVITY = "/integrations/slack/interactivity/"
COMMANDS = "/integrations/slack/commands/"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(autouse=True)
def _signing_secret(settings):
    settings.SLACK_SIGNING_SECRET = SIGNING_SECRET


def post(path: str, body: bytes, headers: dict[str, str]):
    return Client().post(path, data=body, content_type=FORM, **headers)


def ticket(**kwargs):
    return services.ticket_create(
        requester_email="wanjiku@partner.example.org",
        subject="Flow dashboard is down",
        channel=Channel.WEB,
        impact=factories.impact("critical"),
        **kwargs,
    )


def linked_agent(slack_user_id: str = "W111", **kwargs):
    agent = factories.l1_agent(first_name="Amina", last_name="Otieno", **kwargs)
    SlackUser.objects.create(slack_user_id=slack_user_id, user=agent)
    return agent


def button_body(action_id: str, value: str) -> bytes:
    """The recorded block_actions payload with one of our buttons in place of its own."""
    payload = json.loads(fixture_bytes("block_actions.payload.json"))
    payload["actions"][0].update(action_id=action_id, value=value)
    return ("payload=" + quote(json.dumps(payload))).encode()


def command_body(text: str, user_id: str = "W111", trigger_id: str = "111.111.xxx") -> bytes:
    body = fixture_bytes("slash_command.form-body.txt").decode()
    body = body.replace("text=Hi", "text=" + quote(text)).replace(
        "user_id=W111", f"user_id={user_id}"
    )
    return body.replace("trigger_id=111.111.xxx", f"trigger_id={trigger_id}").encode()


# --- Signatures -----------------------------------------------------------------------


def test_slacks_own_signing_example_is_accepted(settings, monkeypatch):
    example = json.loads(fixture_bytes("signing-example.json"))
    settings.SLACK_SIGNING_SECRET = example["signing_secret"]
    monkeypatch.setattr(webhooks, "now", lambda: float(example["x_slack_request_timestamp"]))
    body = fixture_bytes(example["body_file"])

    response = post(
        COMMANDS,
        body,
        {
            "HTTP_X_SLACK_REQUEST_TIMESTAMP": example["x_slack_request_timestamp"],
            "HTTP_X_SLACK_SIGNATURE": example["x_slack_signature"],
        },
    )

    assert response.status_code == 200
    assert response.json()["response_type"] == "ephemeral"
    assert "/helpdesk urgent" in response.json()["text"]  # empty text: the usage


def test_the_signing_example_is_refused_once_its_timestamp_is_stale(settings):
    example = json.loads(fixture_bytes("signing-example.json"))
    settings.SLACK_SIGNING_SECRET = example["signing_secret"]
    with nothing_changes():
        response = post(
            COMMANDS,
            fixture_bytes(example["body_file"]),
            {
                "HTTP_X_SLACK_REQUEST_TIMESTAMP": example["x_slack_request_timestamp"],
                "HTTP_X_SLACK_SIGNATURE": example["x_slack_signature"],
            },
        )
    assert response.status_code == 403


def test_the_recorded_block_actions_body_with_a_valid_signature_is_accepted_and_ignored():
    body = fixture_bytes("block_actions.form-body.txt")
    response = post(INTERACTIVITY, body, sign(body))
    assert response.status_code == 200
    assert not OutboxMessage.objects.exists()  # "click_me_123" is not one of our buttons


def test_the_recorded_slash_command_body_with_a_valid_signature_gets_the_usage():
    body = fixture_bytes("slash_command.form-body.txt")
    response = post(COMMANDS, body, sign(body))
    assert response.status_code == 200
    assert response.json()["text"].startswith("Usage:")


def what_would_change_a_ticket(path: str) -> bytes:
    """A request that, were it let through, would change a ticket: a refusal must not."""
    linked_agent()
    quiet = ticket()
    if path == COMMANDS:
        return command_body(f"urgent {quiet.reference} partner demo in an hour")
    return button_body("helpdesk_assign_me", str(quiet.pk))


@pytest.mark.parametrize("path", [INTERACTIVITY, COMMANDS])
def test_the_request_the_refusals_use_does_change_a_ticket_when_signed_right(path):
    body = what_would_change_a_ticket(path)
    with pytest.raises(AssertionError, match="tickets"), nothing_changes():
        assert post(path, body, sign(body)).status_code == 200


@pytest.mark.parametrize("path", [INTERACTIVITY, COMMANDS])
def test_a_wrong_signature_is_refused_and_changes_nothing(path):
    body = what_would_change_a_ticket(path)
    with nothing_changes():
        assert post(path, body, sign(body, secret="not-the-secret")).status_code == 403


@pytest.mark.parametrize("path", [INTERACTIVITY, COMMANDS])
def test_a_stale_timestamp_is_refused_even_when_correctly_signed(path):
    body = what_would_change_a_ticket(path)
    with nothing_changes():
        assert post(path, body, sign(body, timestamp=int(time.time()) - 6 * 60)).status_code == 403


@pytest.mark.parametrize("timestamp", ["not-a-number", "1531420618.5", "", " 1531420618", "١٢٣"])
def test_a_malformed_timestamp_is_a_403_not_a_500(timestamp):
    body = what_would_change_a_ticket(COMMANDS)
    headers = sign(body)
    headers["HTTP_X_SLACK_REQUEST_TIMESTAMP"] = timestamp
    with nothing_changes():
        assert post(COMMANDS, body, headers).status_code == 403


def test_a_body_that_is_not_utf8_is_a_403_not_a_500():
    body = b"token=x&text=caf\xe9&user_id=W111"
    with nothing_changes():
        assert post(COMMANDS, body, sign(body)).status_code == 403


@pytest.mark.parametrize("path", [INTERACTIVITY, COMMANDS])
def test_no_signing_secret_configured_refuses_everything(settings, path):
    body = what_would_change_a_ticket(path)
    settings.SLACK_SIGNING_SECRET = ""
    with nothing_changes():
        assert post(path, body, sign(body)).status_code == 403


def test_only_post_is_accepted():
    assert Client().get(COMMANDS).status_code == 405


# --- Buttons ------------------------------------------------------------------------


def test_assign_to_me_assigns_the_ticket_to_the_linked_agent_and_redraws_the_message():
    agent = linked_agent()
    alerted = ticket()
    body = button_body("helpdesk_assign_me", str(alerted.pk))

    assert post(INTERACTIVITY, body, sign(body)).status_code == 200

    alerted.refresh_from_db()
    assert alerted.assignee == agent
    assert alerted.events.filter(field="assignee", actor=agent).count() == 1
    [update] = OutboxMessage.objects.filter(kind="slack_update")
    assert update.payload == {"channel": "C111", "ts": "111.222"}


def test_acknowledge_is_recorded_once_per_agent():
    agent = linked_agent()
    alerted = ticket()
    for action_ts in ("1.1", "1.2"):
        payload = json.loads(fixture_bytes("block_actions.payload.json"))
        payload["actions"][0].update(
            action_id="helpdesk_acknowledge", value=str(alerted.pk), action_ts=action_ts
        )
        body = ("payload=" + quote(json.dumps(payload))).encode()
        assert post(INTERACTIVITY, body, sign(body)).status_code == 200

    [event] = TicketEvent.objects.filter(ticket=alerted, field="acknowledged")
    assert (event.actor, event.new_value) == (agent, "Slack")
    assert OutboxMessage.objects.filter(kind="slack_update").count() == 2


def test_a_press_by_an_unlinked_slack_user_changes_nothing_and_says_why_privately():
    alerted = ticket()
    body = button_body("helpdesk_assign_me", str(alerted.pk))

    assert post(INTERACTIVITY, body, sign(body)).status_code == 200

    alerted.refresh_from_db()
    assert alerted.assignee is None
    assert not OutboxMessage.objects.filter(kind="slack_update").exists()
    [answer] = OutboxMessage.objects.filter(kind="slack_ephemeral")
    assert answer.payload["user"] == "W111"
    assert answer.payload["channel"] == "C111"
    assert "not linked" in answer.payload["text"]
    assert "W111" in answer.payload["text"]


def test_an_l2_engineer_cannot_assign_from_slack():
    engineer = factories.l2_engineer()
    SlackUser.objects.create(slack_user_id="W111", user=engineer)
    alerted = ticket()
    body = button_body("helpdesk_assign_me", str(alerted.pk))
    post(INTERACTIVITY, body, sign(body))
    alerted.refresh_from_db()
    assert alerted.assignee is None
    assert "role" in OutboxMessage.objects.get(kind="slack_ephemeral").payload["text"]


def test_a_payload_that_is_not_json_is_a_400():
    body = b"payload=%7Bnot-json"
    assert post(INTERACTIVITY, body, sign(body)).status_code == 400


# --- /helpdesk ----------------------------------------------------------------------


def command(text: str, **kwargs):
    body = command_body(text, **kwargs)
    response = post(COMMANDS, body, sign(body))
    assert response.status_code == 200
    assert response.json()["response_type"] == "ephemeral"
    return response.json()["text"]


def test_urgent_marks_the_ticket_with_a_note_a_history_event_and_an_alert():
    agent = linked_agent()
    quiet = services.ticket_create(
        requester_email="a@partner.example.org", subject="Exports slow", channel=Channel.WEB
    )

    answer = command(f"urgent {quiet.reference} partner demo in an hour <!channel>")

    assert answer == f"{quiet.reference} is marked urgent; the team is alerted."
    quiet.refresh_from_db()
    assert (quiet.is_urgent, quiet.urgent_by) == (True, agent)
    note = quiet.messages.get(kind=MessageKind.NOTE)
    assert note.body == "Marked urgent: partner demo in an hour <!channel>"
    assert note.author_user == agent
    event = quiet.events.get(field="is_urgent")
    assert (event.actor, event.old_value, event.new_value) == (
        agent,
        "no",
        "yes: partner demo in an hour <!channel>",
    )
    [alert] = OutboxMessage.objects.filter(kind="slack_alert", ticket=quiet)
    assert alert.payload["event"] == "flagged_urgent"
    assert alert.payload["detail"] == (
        "Marked urgent by Amina Otieno: partner demo in an hour <!channel>"
    )


def test_urgent_without_a_reason_marks_it_too_and_twice_alerts_once():
    linked_agent()
    quiet = ticket()
    assert command(f"urgent {quiet.reference}").endswith("is marked urgent; the team is alerted.")
    assert command(f"urgent {quiet.reference} again") == f"{quiet.reference} is already urgent."
    assert not quiet.messages.filter(kind=MessageKind.NOTE).exists()
    assert (
        OutboxMessage.objects.filter(
            kind="slack_alert", ticket=quiet, payload__event="flagged_urgent"
        ).count()
        == 1
    )


def test_status_answers_privately_with_status_assignee_and_sla():
    agent = linked_agent()
    watched = ticket()
    services.ticket_assign(ticket=watched, assignee=agent, by=agent)

    answer = command(f"status {watched.reference}")

    assert watched.reference in answer
    assert "Status: New" in answer
    assert "Assignee: Amina Otieno" in answer
    due = watched.sla_clocks.get(target="first_response").due_at
    assert f"SLA First response: due {due:%Y-%m-%d %H:%M} UTC" in answer  # no hub: UTC


def test_status_of_an_unknown_ticket_says_so():
    linked_agent()
    assert command("status HD-999999") == "No ticket “HD-999999”."


def test_new_logs_a_ticket_for_a_client_on_the_slack_channel_once():
    agent = linked_agent()

    answer = command(
        "new <mailto:kofi@partner.example.org|kofi@partner.example.org> Maps do not load"
    )
    again = command("new kofi@partner.example.org Maps do not load")  # same trigger_id: a repeat

    [created] = Ticket.objects.filter(requester__email="kofi@partner.example.org")
    assert answer.startswith(f"{created.reference} created for kofi@partner.example.org")
    assert again.startswith(created.reference)
    assert (created.channel, created.created_by, created.subject) == (
        Channel.SLACK,
        agent,
        "Maps do not load",
    )
    assert OutboxMessage.objects.filter(
        kind="email", payload__template="ticket_created_on_behalf"
    ).exists()


def test_new_with_a_bad_address_says_what_is_wrong():
    linked_agent()
    assert "is not a valid email address" in command("new not-an-address Maps broken")
    assert not Ticket.objects.exists()


def test_commands_from_an_unlinked_slack_user_are_refused():
    quiet = ticket()
    answer = command(f"urgent {quiet.reference} now", user_id="U0STRANGER")
    assert "not linked" in answer
    assert not quiet.messages.filter(kind=MessageKind.NOTE).exists()


@pytest.mark.parametrize("signature", ["v0=caf\xe9", "v0=" + "\xe9" * 64, "v0=\u2603"])
def test_a_signature_header_that_is_not_ascii_is_a_403_not_a_500(signature):
    body = fixture_bytes("slash_command.form-body.txt")
    headers = sign(body)
    headers["HTTP_X_SLACK_SIGNATURE"] = signature
    with nothing_changes():
        assert post(COMMANDS, body, headers).status_code == 403
        assert post(INTERACTIVITY, body, headers).status_code == 403
