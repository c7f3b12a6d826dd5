"""Block Kit messages about tickets, built from the ticket as it is when they are sent.

Everything a person typed (subjects, reasons, names) passes through
:func:`mrkdwn_text` or :func:`plain_text` first, so a subject such as
``<!channel> help`` or ``@here`` never pings anyone.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from tickets.escalation import ticket_desk_url
from tickets.models import Ticket, TicketEvent

ACKNOWLEDGE = "helpdesk_acknowledge"
ASSIGN_TO_ME = "helpdesk_assign_me"
MARK_URGENT = "helpdesk_mark_urgent"

Block = dict[str, Any]

# "@here", "@channel", "@everyone" in plain words: Slack may turn them into
# mentions (link_names, older clients), so a word joiner goes after the "@".
_BROADCAST_WORD = re.compile(r"@(?=(?:here|channel|everyone)\b)", re.IGNORECASE)
_WORD_JOINER = "\u2060"

EVENT_HEADLINES = {
    "new_urgent": ":rotating_light: New urgent ticket",
    "flagged_urgent": ":rotating_light: Marked urgent",
    "sla_warning": ":hourglass_flowing_sand: SLA warning",
    "sla_breach": ":red_circle: SLA breached",
    "l2_update": ":speech_balloon: L2 update",
    "customer_replied": ":incoming_envelope: Customer replied",
}


def plain_text(value: object, limit: int = 3000) -> str:
    """User text for a ``plain_text`` object: mentions are not parsed there, words are."""
    return _BROADCAST_WORD.sub("@" + _WORD_JOINER, str(value))[:limit]


def mrkdwn_text(value: object, limit: int = 3000) -> str:
    """User text for ``mrkdwn``: escaping < > & turns ``<!channel>``, ``<@U…>`` and links
    into harmless text, as Slack's own formatting guide asks."""
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return plain_text(text, limit)


def headline(event: str) -> str:
    return EVENT_HEADLINES.get(event, ":bell: Ticket update")


def fallback_text(ticket: Ticket, event: str, detail: str) -> str:
    """The notification text (and what screen readers read) for clients without blocks."""
    parts = [headline(event), f"{ticket.reference} {mrkdwn_text(ticket.subject, 200)}"]
    if detail:
        parts.append(mrkdwn_text(detail, 500))
    return " · ".join(parts)


def _field(label: str, value: object) -> Block:
    return {"type": "mrkdwn", "text": f"*{label}*\n{mrkdwn_text(value or '—', 500)}"}


def _partner_and_hub(ticket: Ticket) -> str:
    partner = ticket.partner.name if ticket.partner else ticket.organisation_name
    hub = ticket.hub.name if ticket.hub else ""
    return " · ".join(part for part in (partner, hub) if part)


def acknowledged_by(ticket: Ticket) -> list[str]:
    """Who acknowledged the ticket's alerts, first first."""
    events = TicketEvent.objects.filter(ticket=ticket, field="acknowledged").order_by("created_at")
    return [event.actor_label for event in events]


def alert_blocks(ticket: Ticket, event: str, detail: str) -> list[Block]:
    """The alert: what happened, the ticket's facts, a link, and the two buttons."""
    title = f"<{ticket_desk_url(ticket)}|{ticket.reference}> {mrkdwn_text(ticket.subject, 200)}"
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": headline(event), "emoji": True}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{title}*"}},
    ]
    if detail:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn_text(detail)}})
    blocks.append(
        {
            "type": "section",
            "fields": [
                _field(_("Impact"), ticket.impact),
                _field(_("Partner and hub"), _partner_and_hub(ticket)),
                _field(_("Product"), ticket.product),
                _field(_("Status"), ticket.get_status_display()),
                _field(_("Assignee"), assignee_name(ticket)),
                _field(_("Requester"), ticket.requester.email),
            ],
        }
    )
    acknowledged = acknowledged_by(ticket)
    if acknowledged:
        names = mrkdwn_text(", ".join(acknowledged), 500)
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": _("Acknowledged by %s") % names}],
            }
        )
    blocks.append(_buttons(ticket))
    return blocks


def assignee_name(ticket: Ticket) -> str:
    if ticket.assignee is None:
        return _("Unassigned")
    return ticket.assignee.get_full_name() or ticket.assignee.get_username()


def _buttons(ticket: Ticket) -> Block:
    """Acknowledge, Assign to me, and Mark urgent while the ticket is not urgent yet."""
    value = str(ticket.pk)
    urgent: list[Block] = []
    if not ticket.is_urgent:
        urgent.append(
            {
                "type": "button",
                "action_id": MARK_URGENT,
                "style": "danger",
                "text": {"type": "plain_text", "text": _("Mark urgent")},
                "value": value,
            }
        )
    return {
        "type": "actions",
        "block_id": f"helpdesk_ticket_{ticket.pk}",
        "elements": [
            {
                "type": "button",
                "action_id": ACKNOWLEDGE,
                "text": {"type": "plain_text", "text": _("Acknowledge")},
                "value": value,
            },
            {
                "type": "button",
                "action_id": ASSIGN_TO_ME,
                "style": "primary",
                "text": {"type": "plain_text", "text": _("Assign to me")},
                "value": value,
            },
            *urgent,
        ],
    }
