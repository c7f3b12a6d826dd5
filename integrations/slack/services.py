"""What Slack requests do: button presses and /helpdesk commands, acting as the linked agent.

The webhooks parse and verify; everything here works on plain values, so tests
reach it without HTTP. Nothing here calls Slack: answers that Slack shows are
returned to the webhook, and message updates go through the outbox.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from integrations.slack import blocks
from integrations.slack.models import SlackUser
from tickets import roles, services
from tickets.escalation import ticket_desk_url
from tickets.models import Channel, Ticket
from tickets.models.sla import SlaClock
from tickets.outbox import outbox_add
from tickets.outbox_kinds import OutboxKind
from tickets.queues import reference_pk

USAGE = (
    "Usage:\n"
    "• `/helpdesk urgent HD-1042 [reason]` marks a ticket urgent and alerts the team\n"
    "• `/helpdesk status HD-1042` shows its status, assignee and SLA (only to you)\n"
    "• `/helpdesk new <client email> <summary>` logs a ticket for a client"
)


class SlackRefusal(Exception):
    """A request we understood but will not carry out; the message is shown to the user."""


def agent_for(slack_user_id: str) -> User:
    """The active staff member linked to this Slack user (the services check their role)."""
    link = SlackUser.objects.select_related("user").filter(slack_user_id=slack_user_id).first()
    if link is None or not (link.user.is_active and link.user.is_staff):
        raise SlackRefusal(
            _(
                "Your Slack account is not linked to a help desk agent. Ask an admin to add "
                "your member ID (%(id)s) under Slack users in the back office."
            )
            % {"id": slack_user_id}
        )
    return link.user


def _find_ticket(text: str) -> Ticket:
    pk = reference_pk(text)
    ticket = Ticket.objects.filter(pk=pk).first() if pk else None
    if ticket is None:
        raise SlackRefusal(_("No ticket “%(ref)s”.") % {"ref": text})
    return ticket


# --- Buttons -------------------------------------------------------------------------


@dataclass(frozen=True)
class ButtonPress:
    action_id: str
    value: str
    slack_user_id: str
    channel: str
    message_ts: str
    action_ts: str


def button_presses(payload: dict[str, Any]) -> list[ButtonPress]:
    """Our buttons among a block_actions payload's actions (others are not ours)."""
    if payload.get("type") != "block_actions":
        return []
    container = payload.get("container") or {}
    channel = container.get("channel_id") or (payload.get("channel") or {}).get("id") or ""
    user = str((payload.get("user") or {}).get("id") or "")
    return [
        ButtonPress(
            action_id=str(action.get("action_id")),
            value=str(action.get("value") or ""),
            slack_user_id=user,
            channel=str(channel),
            message_ts=str(container.get("message_ts") or ""),
            action_ts=str(action.get("action_ts") or ""),
        )
        for action in payload.get("actions") or []
        if action.get("action_id") in (blocks.ACKNOWLEDGE, blocks.ASSIGN_TO_ME, blocks.MARK_URGENT)
    ]


@transaction.atomic
def slack_button_press(press: ButtonPress) -> str:
    """Acknowledge or assign as the pressing agent, then redraw the message (via the outbox).

    A refusal is told privately to the one who pressed. Returns what happened.
    """
    try:
        outcome = _apply_press(press)
    except (SlackRefusal, ValidationError, roles.ActionNotAllowed) as refusal:
        _tell_privately(press, _refusal_text(refusal), key=f"press:{press.action_ts}")
        return "refused"
    if press.channel and press.message_ts:
        outbox_add(
            kind=OutboxKind.SLACK_UPDATE,
            key=f"slack_update:{press.channel}:{press.message_ts}:{press.action_ts}",
            payload={"channel": press.channel, "ts": press.message_ts},
        )
    return outcome


def _apply_press(press: ButtonPress) -> str:
    agent = agent_for(press.slack_user_id)
    ticket = _find_ticket(press.value)
    if press.action_id == blocks.ASSIGN_TO_ME:
        services.ticket_assign(ticket=ticket, assignee=agent, by=agent)
        return "assigned"
    if press.action_id == blocks.MARK_URGENT:
        services.ticket_set_urgent(ticket=ticket, by=agent, urgent=True)
        return "marked urgent"
    services.ticket_acknowledge(ticket=ticket, by=agent, via=str(_("Slack")))
    return "acknowledged"


def _refusal_text(refusal: Exception) -> str:
    if isinstance(refusal, ValidationError):
        return " ".join(refusal.messages)
    return str(refusal)


def _tell_privately(press: ButtonPress, text: str, key: str) -> None:
    if not (press.channel and press.slack_user_id):
        return
    outbox_add(
        kind=OutboxKind.SLACK_EPHEMERAL,
        key=f"slack_ephemeral:{key}:{press.slack_user_id}",
        payload={"channel": press.channel, "user": press.slack_user_id, "text": text},
    )


# --- /helpdesk ------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    text: str
    slack_user_id: str
    trigger_id: str


def slack_command(command: Command) -> str:
    """Run one /helpdesk command; returns the private answer (Slack mrkdwn, safe to show)."""
    verb, _sep, rest = command.text.strip().partition(" ")
    handler = {"urgent": _urgent, "status": _status, "new": _new}.get(verb.lower())
    if handler is None:
        return USAGE
    try:
        return handler(command, rest.strip())
    except (SlackRefusal, roles.ActionNotAllowed) as refusal:
        return blocks.mrkdwn_text(refusal)
    except ValidationError as invalid:
        return blocks.mrkdwn_text(" ".join(invalid.messages))


def _urgent(command: Command, rest: str) -> str:
    reference, _sep, reason = rest.partition(" ")
    if not reference:
        return _("Usage: `/helpdesk urgent HD-1042 [reason]`")
    agent = agent_for(command.slack_user_id)
    ticket = _find_ticket(reference)
    if ticket.is_urgent:
        return _("%(ref)s is already urgent.") % {"ref": ticket.reference}
    services.ticket_set_urgent(ticket=ticket, by=agent, urgent=True, reason=reason)
    return _("%(ref)s is marked urgent; the team is alerted.") % {"ref": ticket.reference}


def _status(command: Command, rest: str) -> str:
    if not rest:
        return _("Usage: `/helpdesk status HD-1042`")
    roles.require(agent_for(command.slack_user_id), roles.VIEW)
    ticket = _find_ticket(rest)
    ticket = Ticket.objects.select_related("assignee", "impact", "hub").get(pk=ticket.pk)
    lines = [
        f"*<{ticket_desk_url(ticket)}|{ticket.reference}>* "
        f"{blocks.mrkdwn_text(ticket.subject, 200)}",
        _("Status: %(status)s") % {"status": ticket.get_status_display()},
        _("Impact: %(impact)s") % {"impact": ticket.impact or "—"},
        _("Assignee: %(who)s") % {"who": blocks.mrkdwn_text(blocks.assignee_name(ticket), 200)},
        *[_sla_line(clock, ticket) for clock in ticket.sla_clocks.order_by("target")],
    ]
    return "\n".join(lines)


def _sla_line(clock: SlaClock, ticket: Ticket) -> str:
    label = clock.get_target_display()
    if clock.met_at:
        state = _("met %(at)s") % {"at": _local(clock.met_at, ticket)}
    elif clock.paused_at:
        state = _("paused while waiting on the customer")
    elif clock.breached_at:
        state = _("breached, was due %(at)s") % {"at": _local(clock.due_at, ticket)}
    elif clock.warned_at:
        state = _("at risk, due %(at)s") % {"at": _local(clock.due_at, ticket)}
    else:
        state = _("due %(at)s") % {"at": _local(clock.due_at, ticket)}
    return _("SLA %(target)s: %(state)s") % {"target": label, "state": state}


def _local(instant: datetime | None, ticket: Ticket) -> str:
    if instant is None:
        return "—"
    zone = ZoneInfo(ticket.hub.time_zone if ticket.hub else settings.SLA_DEFAULT_TIME_ZONE)
    return f"{instant.astimezone(zone):%Y-%m-%d %H:%M %Z}"


def _new(command: Command, rest: str) -> str:
    email, _sep, summary = rest.partition(" ")
    if not email or not summary.strip():
        return _("Usage: `/helpdesk new <client email> <summary>`")
    agent = agent_for(command.slack_user_id)
    # Slack gives every invocation its own trigger_id: a repeated request makes one ticket.
    key = hashlib.sha256(f"slack:{command.trigger_id}".encode()).hexdigest()[:64]
    ticket = services.ticket_create(
        requester_email=email.strip("<>").removeprefix("mailto:").split("|")[0],
        subject=summary,
        description=summary,
        channel=Channel.SLACK,
        by=agent,
        submission_key=key if command.trigger_id else "",
    )
    return _("%(ref)s created for %(email)s: %(link)s") % {
        "ref": ticket.reference,
        "email": blocks.mrkdwn_text(ticket.requester.email),
        "link": ticket_desk_url(ticket),
    }
