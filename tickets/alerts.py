"""Which ticket events alert the support team in chat, written to the outbox.

``tickets`` only says *that* the team should hear about a ticket and why; the
``integrations`` app registers how ``slack_alert`` rows are delivered (Block
Kit messages, threaded per ticket). The message is built when it is sent, from
the ticket as it is then, so a retried row never shows stale fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from django.conf import settings

from catalog.models import Impact
from tickets.models import Ticket
from tickets.outbox import OutboxItem, outbox_add, outbox_add_many
from tickets.outbox_kinds import OutboxKind

AlertEvent = Literal[
    "new_urgent",  # a new ticket with an impact the team watches (Critical, by default)
    "flagged_urgent",  # an agent flagged the ticket urgent (e.g. with /helpdesk urgent)
    "sla_warning",  # 75% of an SLA window used
    "sla_breach",  # an SLA window passed
    "l2_update",  # L2 commented on, closed or reopened the linked GitHub issue
    "customer_replied",  # the requester replied to a watched ticket after our reply
]


def _payload(ticket_id: int, event: AlertEvent, detail: str) -> dict[str, object]:
    return {"ticket_id": ticket_id, "event": event, "detail": detail[:2000]}


def alert_team(*, ticket: Ticket, event: AlertEvent, key: str, detail: str = "") -> None:
    """Queue one chat alert about ``ticket``; the same key never alerts twice."""
    outbox_add(
        kind=OutboxKind.SLACK_ALERT,
        key=key,
        ticket=ticket,
        payload=_payload(ticket.pk, event, detail),
    )


def alert_team_many(alerts: Sequence[tuple[int, AlertEvent, str, str]]) -> None:
    """:func:`alert_team` for a batch of ``(ticket_id, event, key, detail)``."""
    outbox_add_many(
        [
            OutboxItem(
                kind=OutboxKind.SLACK_ALERT,
                key=key,
                payload=_payload(ticket_id, event, detail),
                ticket_id=ticket_id,
            )
            for ticket_id, event, key, detail in alerts
        ]
    )


def impact_is_watched(impact: Impact | None) -> bool:
    """Whether new tickets of this impact alert the team (``SLACK_ALERT_IMPACTS``, by slug)."""
    return impact is not None and impact.slug in settings.SLACK_ALERT_IMPACTS


def should_alert_slack_on_reply(ticket: Ticket) -> bool:
    """Whether a customer's reply to this ticket alerts the team channel as well as its agent:
    the ticket is urgent, or its impact is watched (Critical, by default)."""
    return ticket.is_urgent or impact_is_watched(ticket.impact)


def alert_if_urgent(*, ticket: Ticket, detail: str = "") -> None:
    """Alert the team about a ticket whose impact is watched, once per ticket.

    Called when a ticket is created and whenever triage changes its impact; the
    key is per ticket, so raising, lowering and raising it again alerts once.
    """
    if impact_is_watched(ticket.impact):
        alert_team(
            ticket=ticket,
            event="new_urgent",
            key=f"slack_alert:new_urgent:{ticket.pk}",
            detail=detail,
        )
