"""Urgent tickets: marked from the desk, the Slack button or /helpdesk urgent; first in every
queue, filtered, badged, on the urgent SLA policy, and Slack is alerted once per episode."""

from __future__ import annotations

import itertools
import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from werkzeug import Request, Response

from integrations.slack.models import SlackUser
from tests import factories
from tests.desk_helpers import deliver_all, logged_in
from tests.fake_slack import CHANNEL, SIGNING_SECRET, fixture_bytes, json_body, requests_to, sign
from tests.unchanged import nothing_changes
from tickets import alerts, services
from tickets.models import (
    Channel,
    MessageKind,
    OutboxMessage,
    SlaPolicy,
    SlaTarget,
    Status,
    Ticket,
    TicketEvent,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _signing_secret(settings):
    settings.SLACK_SIGNING_SECRET = SIGNING_SECRET


INTERACTIVITY = "/integrations/slack/interactivity/"
COMMANDS = "/integrations/slack/commands/"
FORM = "application/x-www-form-urlencoded"
ALERT_TS = "1700000000.000001"  # the first message the fake Slack posts


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def request_from(email: str = "wanjiku@partner.example.org", **kwargs) -> Ticket:
    fields = {"subject": "Exports are slow", "channel": Channel.WEB, **kwargs}
    return services.ticket_create(requester_email=email, **fields)


def linked_agent(slack_user_id: str = "W111", **kwargs):
    agent = factories.l1_agent(first_name="Amina", last_name="Otieno", **kwargs)
    SlackUser.objects.create(slack_user_id=slack_user_id, user=agent)
    return agent


def press(action_id: str, value: str, action_ts: str = "1.1", ts: str = ALERT_TS):
    """The recorded block_actions payload, pressed on our alert message, signed as Slack does."""
    payload = json.loads(fixture_bytes("block_actions.payload.json"))
    payload["actions"][0].update(action_id=action_id, value=value, action_ts=action_ts)
    payload["container"].update(channel_id=CHANNEL, message_ts=ts)
    body = ("payload=" + quote(json.dumps(payload))).encode()
    return Client().post(INTERACTIVITY, data=body, content_type=FORM, **sign(body))


def slash(text: str, user_id: str = "W111") -> str:
    body = fixture_bytes("slash_command.form-body.txt").decode()
    body = body.replace("text=Hi", "text=" + quote(text)).replace(
        "user_id=W111", f"user_id={user_id}"
    )
    response = Client().post(COMMANDS, data=body.encode(), content_type=FORM, **sign(body.encode()))
    return response.json()["text"]


def answer_like_slack(slack) -> None:
    """Every post gets its own ts; updates and private answers are accepted."""
    counter = itertools.count(1)

    def post(request: Request) -> Response:
        channel = json_body(request)["channel"]
        ts = f"1700000000.{next(counter):06d}"
        body = {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts}}
        return Response(json.dumps(body), content_type="application/json")

    slack.expect_request("/chat.postMessage").respond_with_handler(post)
    slack.expect_request("/chat.update").respond_with_json(
        {"ok": True, "channel": CHANNEL, "ts": ALERT_TS}
    )
    slack.expect_request("/chat.postEphemeral").respond_with_json({"ok": True, "message_ts": "1"})


def urgent_alerts_received(slack) -> list[dict]:
    posts = [json_body(r) for r in requests_to(slack, "chat.postMessage")]
    return [p for p in posts if p["blocks"][0]["text"]["text"] == ":rotating_light: Marked urgent"]


def queue_order(client, query: str = "") -> list[int]:
    html = client.get(reverse("desk:queue", kwargs={"queue": "all"}) + query).content.decode()
    return [int(pk) for pk in re.findall(r'id="row-(\d+)"', html)]


# --- The acceptance story --------------------------------------------------------------


def test_urgent_set_by_the_slack_button_shows_the_badge_sorts_first_and_alerts_slack_once(slack):
    agent = linked_agent()
    older = [request_from(subject=f"Older request {n}") for n in range(3)]
    ticket = request_from(subject="Partner demo in an hour: exports fail")
    newer = request_from(subject="A newer request")
    answer_like_slack(slack)
    # The SLA warning about the ticket is in the channel, with its buttons.
    alerts.alert_team(ticket=ticket, event="sla_warning", key="warn:1", detail="due soon")
    deliver_all()
    [warning] = requests_to(slack, "chat.postMessage")
    buttons = json_body(warning)["blocks"][-1]["elements"]
    assert [b["action_id"] for b in buttons][-1] == "helpdesk_mark_urgent"

    assert press("helpdesk_mark_urgent", str(ticket.pk), action_ts="1.1").status_code == 200
    assert press("helpdesk_mark_urgent", str(ticket.pk), action_ts="1.2").status_code == 200
    deliver_all()

    ticket = fresh(ticket)
    assert (ticket.is_urgent, ticket.urgent_by) == (True, agent)
    [alert] = urgent_alerts_received(slack)
    assert alert["blocks"][2]["text"]["text"] == "Marked urgent by Amina Otieno"
    assert alert["thread_ts"] == ALERT_TS  # in the ticket's thread
    # The alert redrawn: no Mark urgent button once the ticket is urgent.
    redrawn = json_body(requests_to(slack, "chat.update")[-1])
    assert "helpdesk_mark_urgent" not in json.dumps(redrawn["blocks"])
    # Sorted first in the queue (default sort: due soonest), with its badge.
    client = logged_in(factories.l1_agent())
    assert queue_order(client)[0] == ticket.pk
    assert set(queue_order(client)) == {t.pk for t in (*older, ticket, newer)}
    html = client.get(reverse("desk:queue", kwargs={"queue": "all"})).content.decode()
    row = html[html.index(f'id="row-{ticket.pk}"') :][:1500]
    assert 'data-testid="urgent-badge"' in row
    assert html.count('data-testid="urgent-badge"') == 1


# --- Marking from the desk and from the command ------------------------------------------


def press_the_urgent_button(client, ticket: Ticket, reason: str = ""):
    """Post the workspace's urgent form as the page renders it (version and direction)."""
    page = client.get(reverse("desk:ticket", kwargs={"ticket_id": ticket.pk})).content.decode()
    form = page[page.index('id="urgent-form"') :]
    form = form[: form.index("</form>")]
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    action = reverse("desk:urgent", kwargs={"ticket_id": ticket.pk})
    return client.post(action, {**hidden, "reason": reason})


def test_an_agent_marks_a_ticket_urgent_in_the_desk_and_history_says_who_and_when():
    agent = factories.l1_agent(first_name="Amina", last_name="Otieno")
    ticket = request_from()
    client = logged_in(agent)
    at = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)

    with time_machine.travel(at, tick=False):
        response = press_the_urgent_button(client, ticket, "Board meeting")

    assert response.status_code == 302
    ticket = fresh(ticket)
    assert (ticket.is_urgent, ticket.urgent_at, ticket.urgent_by) == (True, at, agent)
    event = TicketEvent.objects.get(ticket=ticket, field="is_urgent")
    assert (event.actor, event.created_at, event.old_value, event.new_value) == (
        agent,
        at,
        "no",
        "yes: Board meeting",
    )
    assert ticket.messages.get(kind=MessageKind.NOTE).body == "Marked urgent: Board meeting"
    with time_machine.travel(at, tick=False):
        page = client.get(reverse("desk:ticket", kwargs={"ticket_id": ticket.pk})).content.decode()
    assert 'data-testid="urgent-badge"' in page
    assert "marked urgent by Amina Otieno, Mon 23 Nov 07:30 UTC" in page
    history = r"07:30 UTC</time>\s+· Amina Otieno:\s+Urgent: no → yes: Board meeting"
    assert re.search(history, page)
    assert "Not urgent any more" in page

    assert press_the_urgent_button(client, ticket).status_code == 302

    ticket = fresh(ticket)
    assert (ticket.is_urgent, ticket.urgent_at, ticket.urgent_by) == (False, None, None)
    unset = TicketEvent.objects.filter(ticket=ticket, field="is_urgent").last()
    assert (unset.actor, unset.old_value, unset.new_value) == (agent, "yes", "no")
    page = client.get(reverse("desk:ticket", kwargs={"ticket_id": ticket.pk})).content.decode()
    assert 'data-testid="urgent-badge"' not in page


def test_marked_urgent_in_the_desk_then_by_the_slash_command_alerts_once():
    agent = linked_agent()
    ticket = request_from()
    logged_in(agent).post(
        reverse("desk:urgent", kwargs={"ticket_id": ticket.pk}),
        {"version": fresh(ticket).version, "urgent": "1"},
    )

    assert slash(f"urgent {ticket.reference} still burning") == (
        f"{ticket.reference} is already urgent."
    )
    assert services.ticket_set_urgent(ticket=ticket, by=agent, urgent=True).is_urgent

    [alert] = OutboxMessage.objects.filter(kind="slack_alert", ticket=ticket)
    assert alert.payload["event"] == "flagged_urgent"
    assert TicketEvent.objects.filter(ticket=ticket, field="is_urgent").count() == 1


def test_the_slash_command_marks_urgent_and_a_new_episode_alerts_again():
    agent = linked_agent()
    ticket = request_from()

    assert slash(f"urgent {ticket.reference}") == (
        f"{ticket.reference} is marked urgent; the team is alerted."
    )
    services.ticket_set_urgent(ticket=ticket, by=agent, urgent=False)
    services.ticket_set_urgent(ticket=ticket, by=agent, urgent=True, reason="again")

    assert fresh(ticket).urgent_by == agent
    assert OutboxMessage.objects.filter(kind="slack_alert", ticket=ticket).count() == 2
    history = TicketEvent.objects.filter(ticket=ticket, field="is_urgent").order_by("pk")
    assert [(e.old_value, e.new_value) for e in history] == [
        ("no", "yes"),
        ("yes", "no"),
        ("no", "yes: again"),
    ]


# --- The urgent policy -----------------------------------------------------------------


def test_the_urgent_policy_shortens_the_due_time_and_unsetting_restores_it():
    agent = factories.l1_agent()
    partner = factories.PartnerFactory(hub=factories.hub("east-africa"))
    # Monday 09:00 in Nairobi (06:00 UTC), when the hub opens.
    ticket = request_from(partner=partner, received_at=datetime(2026, 11, 23, 6, 0, tzinfo=UTC))

    def due() -> datetime:
        return ticket.sla_clocks.get(target=SlaTarget.FIRST_RESPONSE).due_at

    assert due() == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # one working day
    with time_machine.travel(datetime(2026, 11, 23, 6, 20, tzinfo=UTC), tick=False):
        services.ticket_set_urgent(ticket=ticket, by=agent, urgent=True)
    assert due() == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # two working hours
    assert fresh(ticket).first_response_due_at == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert not ticket.sla_clocks.filter(target=SlaTarget.RESOLUTION).exists()

    services.ticket_set_urgent(ticket=ticket, by=agent, urgent=False)

    assert due() == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    assert ticket.sla_events.filter(kind="recomputed", note="no longer urgent").exists()


def test_there_is_one_urgent_policy_and_it_has_no_impact():
    urgent = SlaPolicy.objects.get(urgent=True)
    assert (urgent.impact, urgent.first_response_days) == (None, Decimal("0.25"))

    second = SlaPolicy(urgent=True, first_response_days=Decimal("0.5"))
    with pytest.raises(ValidationError, match="already an urgent policy"):
        second.full_clean()
    with_impact = SlaPolicy(urgent=True, impact=factories.impact("critical"))
    with pytest.raises(ValidationError, match="applies to every impact"):
        with_impact.clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        SlaPolicy.objects.create(urgent=True, first_response_days=Decimal("0.5"))
    urgent.delete()
    with transaction.atomic(), pytest.raises(IntegrityError):
        SlaPolicy.objects.create(urgent=True, impact=factories.impact("critical"))
    # Without an urgent policy, an urgent ticket keeps its impact's targets.
    ticket = request_from()
    services.ticket_set_urgent(ticket=ticket, by=None, urgent=True)
    clock = ticket.sla_clocks.get(target=SlaTarget.FIRST_RESPONSE)
    assert clock.window == timedelta(hours=8)


# --- Refusals change nothing -------------------------------------------------------------


def test_an_l2_engineer_cannot_mark_urgent_from_the_desk_and_nothing_changes():
    ticket = request_from()
    client = logged_in(factories.l2_engineer())
    url = reverse("desk:urgent", kwargs={"ticket_id": ticket.pk})
    with nothing_changes():
        response = client.post(url, {"version": fresh(ticket).version, "urgent": "1"})
    assert response.status_code == 403


def test_marking_urgent_on_a_stale_page_is_refused_and_nothing_changes():
    ticket = request_from()
    loaded = fresh(ticket).version
    services.ticket_change_fields(
        ticket=ticket, by=factories.l1_agent(), changes={"subject": "Exports fail"}
    )
    client = logged_in(factories.l1_agent())
    with nothing_changes():
        response = client.post(
            reverse("desk:urgent", kwargs={"ticket_id": ticket.pk}),
            {"version": loaded, "urgent": "1"},
        )
    assert response.status_code == 409
    assert "was changed by" in response.content.decode()


def test_a_closed_ticket_cannot_be_marked_urgent_and_nothing_changes():
    agent = factories.l1_agent()
    ticket = request_from()
    services.ticket_change_status(ticket=ticket, status="resolved", by=agent)
    client = logged_in(agent)
    with nothing_changes():
        response = client.post(
            reverse("desk:urgent", kwargs={"ticket_id": ticket.pk}),
            {"version": fresh(ticket).version, "urgent": "1"},
            follow=True,
        )
    assert f"{ticket.reference} is resolved: reopen it before marking it urgent." in (
        response.content.decode()
    )


def test_a_slack_button_for_an_unknown_ticket_changes_nothing_and_says_why_privately():
    linked_agent()
    request_from()
    with nothing_changes(ignoring=[OutboxMessage]):
        assert press("helpdesk_mark_urgent", "HD-999999").status_code == 200
    [answer] = OutboxMessage.objects.filter(kind__startswith="slack")
    assert answer.kind == "slack_ephemeral"
    assert answer.payload["text"] == "No ticket “HD-999999”."


def test_a_slack_button_from_an_unlinked_or_l2_user_changes_nothing():
    engineer = factories.l2_engineer()
    SlackUser.objects.create(slack_user_id="W222", user=engineer)
    ticket = request_from()
    before = set(OutboxMessage.objects.values_list("pk", flat=True))
    with nothing_changes(ignoring=[OutboxMessage]):
        press("helpdesk_mark_urgent", str(ticket.pk))  # W111: nobody linked
    added = OutboxMessage.objects.exclude(pk__in=before)
    assert [row.kind for row in added] == ["slack_ephemeral"]
    assert not fresh(ticket).is_urgent
    assert "not linked" in added[0].payload["text"]
    with nothing_changes(ignoring=[OutboxMessage]):
        assert "role" in slash(f"urgent {ticket.reference}", user_id="W222")


def test_resolving_an_urgent_ticket_ends_its_urgency_and_it_no_longer_leads_the_queue():
    agent = factories.l1_agent()
    urgent = request_from()
    calm = request_from("calm@partner.example.org")  # newer: first when nothing is urgent
    services.ticket_set_urgent(ticket=urgent, by=agent, urgent=True)
    for ticket in (urgent, calm):
        services.ticket_change_status(ticket=fresh(ticket), by=agent, status=Status.RESOLVED)

    urgent = fresh(urgent)
    assert (urgent.is_urgent, urgent.urgent_at, urgent.urgent_by) == (False, None, None)
    event = TicketEvent.objects.filter(ticket=urgent, field="is_urgent").latest("pk")
    assert (event.actor, event.old_value, event.new_value) == (agent, "yes", "no")
    client = logged_in(agent)
    assert queue_order(client, "?status=resolved") == [calm.pk, urgent.pk]
