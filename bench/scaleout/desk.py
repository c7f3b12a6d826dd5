"""What the rehearsal does inside the database: the agent's actions and the passing of time.

The agent triages, answers and escalates the tickets the portal load opened,
through the same services the desk's views call (``tickets.services``), in the
harness's process: their outbox rows are written and handed to the broker after
commit exactly as a web replica does. SLA notices need time to pass; instead of
waiting hours, :func:`move_clocks` brings some clocks' warning or due time to
now, and the beats' SLA checks do the rest.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.db import close_old_connections, connection
from django.utils import timezone

from catalog.models import Category, Hub, Impact, Product
from tickets import roles, services
from tickets.models import EscalationIssue, MessageKind, Ticket
from tickets.models.sla import SlaClock

AGENT = "rehearsal-agent"


def agent_login() -> tuple[str, str]:
    """An L1 agent of the rehearsal's own, with a fresh password."""
    password = secrets.token_urlsafe(24)
    user, _ = User.objects.get_or_create(
        username=AGENT, defaults={"first_name": "Rehearsal", "email": "agent@support.example.org"}
    )
    user.is_staff = user.is_active = True
    user.set_password(password)
    user.save()
    user.groups.set([Group.objects.get(name=roles.L1_AGENT)])
    return AGENT, password


def contact_form() -> dict[str, object]:
    """A complete Contact Us request about the Akvo Flow product (it files on GitHub)."""
    return {
        "name": "Rehearsal Requester",
        "organisation": "Rehearsal Partner",
        "hub": Hub.objects.get(slug="east-africa").pk,
        "product": Product.objects.get(slug="akvo-flow").pk,
        "category": Category.objects.get(slug="bug").pk,
        "subject": "Export stops at 50% for the household survey",
        "what_doing": "Exporting the raw data of the household survey from the dashboard.",
        "expected": "A spreadsheet with all submissions to download.",
        "actual": "The progress bar stops at 50% and after ten minutes nothing happened.",
        "steps": "1. Data > Export\n2. Household survey\n3. Export",
        "pd_dashboard": "akvoflow-rehearsal",
        "pd_imei": "356938035643809",
        "env_computer": "Firefox 140 on Windows 11",
    }


def ticket_id(reference: str) -> int:
    return int(reference.rsplit("-", 1)[-1])


def act_on(reference: str, turn: int) -> str:
    """One agent action on a new ticket, by turn: Critical (a Slack alert), a public
    reply (a mail), an escalation (a GitHub issue); returns what was done."""
    agent = User.objects.get(username=AGENT)
    ticket = Ticket.objects.get(pk=ticket_id(reference))
    if turn % 3 == 0:
        services.ticket_triage(ticket=ticket, by=agent, impact=Impact.objects.get(slug="critical"))
        return "triaged_critical"
    if turn % 3 == 1:
        services.ticket_add_message(
            ticket=ticket, kind=MessageKind.REPLY, by=agent, body="Thanks, we are on it."
        )
        return "replied"
    services.ticket_escalate(
        ticket=ticket, by=agent, technical_summary="Export worker stops at 50% on big surveys."
    )
    return "escalated"


def filed_issue_numbers() -> list[int]:
    return list(
        EscalationIssue.objects.filter(number__isnull=False).values_list("number", flat=True)
    )


def move_clocks(count: int, turn: int) -> int:
    """Bring ``count`` running clocks to their warning (odd turns) or past due (even turns)."""
    now = timezone.now()
    ids = list(
        SlaClock.objects.filter(
            met_at__isnull=True, warned_at__isnull=True, breached_at__isnull=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    if turn % 2:
        moved = {"warn_at": now - timedelta(seconds=1), "due_at": now + timedelta(hours=4)}
    else:
        moved = {"warn_at": now - timedelta(minutes=2), "due_at": now - timedelta(minutes=1)}
    return SlaClock.objects.filter(pk__in=ids).update(**moved)


def done_with_thread() -> None:
    """A load thread's last word: its database connection is closed."""
    close_old_connections()
    connection.close()
