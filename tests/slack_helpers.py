"""What the Slack delivery tests share: a critical ticket, its alert row, the blocks it posts."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from tests import factories
from tickets import services
from tickets.models import Channel, OutboxMessage


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
                {
                    "type": "button",
                    "action_id": "helpdesk_mark_urgent",
                    "style": "danger",
                    "text": {"type": "plain_text", "text": "Mark urgent"},
                    "value": str(ticket.pk),
                },
            ],
        },
    ]
