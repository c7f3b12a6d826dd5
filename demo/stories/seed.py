"""``seed_demo``: staff, partners, requesters and worked tickets, once (idempotent)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction

from catalog.defaults import seed_default_taxonomy
from demo.canned import seed_canned_responses
from demo.people import (
    DEFAULT_DEMO_TICKETS,
    DEFAULT_SEED,
    StaffAccount,
    Team,
    demo_requester_emails,
    seed_partners,
    seed_requesters,
    seed_staff,
)
from demo.stories.catalogue import Catalogue
from demo.stories.teller import DemoStories
from tickets import services
from tickets.models import OPEN_STATUSES, Ticket
from tickets.sla.defaults import seed_default_policies


@dataclass
class DemoReport:
    staff: list[StaffAccount]
    partners_created: int
    requesters_created: int
    tickets_created: int
    tickets_total: int


def mark_one_urgent() -> Ticket | None:
    """The newest open Critical demo ticket is urgent (a partner's go-live, say), unless one is."""
    demo = Ticket.objects.filter(requester__email__in=demo_requester_emails())
    if demo.filter(is_urgent=True).exists():
        return None
    ticket = demo.filter(status__in=OPEN_STATUSES, impact__slug="critical").first()
    triagers = Team.load().triagers
    if ticket is None or not triagers:
        return None
    return services.ticket_set_urgent(
        ticket=ticket,
        by=triagers[0],
        urgent=True,
        reason="Their national rollout starts Monday.",
        notify=False,  # demo data sends nothing
    )


def demo_ticket_count() -> int:
    return Ticket.objects.filter(requester__email__in=demo_requester_emails()).count()


@transaction.atomic
def seed_demo(
    *, tickets: int = DEFAULT_DEMO_TICKETS, seed: int = DEFAULT_SEED, debug: bool
) -> DemoReport:
    """Create the demo once: staff, partners, requesters and ``tickets`` worked tickets.

    Running it again creates nothing: people and partners are found by name or
    email, and only the tickets missing from ``tickets`` are added.
    """
    seed_default_taxonomy()  # the stories tag with it, and a flushed database has none
    seed_default_policies()  # per-impact SLA targets, where none exist yet
    staff = seed_staff(debug=debug)
    seed_canned_responses()
    partners, partners_created = seed_partners()
    requesters, requesters_created = seed_requesters(partners)
    existing = demo_ticket_count()
    missing = max(0, tickets - existing)
    if missing:
        # Seeded from what exists, so topping up a partial demo does not repeat its tickets.
        rng = random.Random(seed + existing)  # noqa: S311 - demo content, not secrets
        story = DemoStories(rng=rng, catalogue=Catalogue.load(), requesters=requesters)
        for index in range(existing, existing + missing):
            story.tell(index)
        mark_one_urgent()
    return DemoReport(
        staff=staff,
        partners_created=partners_created,
        requesters_created=requesters_created,
        tickets_created=missing,
        tickets_total=existing + missing,
    )
