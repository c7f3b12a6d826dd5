"""Bulk ticket rows: a few random draws per ticket over pre-rendered request variants.

Every draw comes from one ``random.Random`` in a fixed order, so a seed gives the
same tickets (access tokens apart, which stay random).
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from demo.bulk import shape
from demo.bulk.variants import BulkPartner, Variant, ensure_bulk_requesters, render_variants
from demo.people import (
    AUTO_CLOSE_AFTER,
    BULK_SPAN_DAYS,
    INDEPENDENT_DOMAIN,
    NAMES_BY_HUB,
    DemoPartner,
    Team,
)
from demo.stories.catalogue import (
    Catalogue,
    first_response_due,
    response_delay_hours,
    status_for_age,
    working_time,
)
from tickets.models import (
    Channel,
    EscalationStatus,
    EventKind,
    MessageKind,
    Requester,
    SlaTarget,
    Status,
)

FIRST_RESPONSE = str(SlaTarget.FIRST_RESPONSE)
# One working day of the default 09:00-17:00 hours; bulk clocks count calendar time
# against it (close enough for benchmarks; seed_demo's stories use the real calendar).
BULK_WINDOW = timedelta(hours=8)
# Plain strings in the generated rows: COPY writes them without the model layer.
CHANNELS = tuple(str(c) for c in (Channel.WEB, Channel.EMAIL, Channel.SLACK, Channel.PHONE,
                                  Channel.OTHER))  # fmt: skip
CUSTOMER = str(MessageKind.CUSTOMER)
CREATED = str(EventKind.CREATED)
CHANNEL_CUM = list(itertools.accumulate((55, 25, 8, 5, 7)))
ON_BEHALF = frozenset({Channel.SLACK, Channel.PHONE, Channel.OTHER})


@dataclass(slots=True)
class _Draft:
    """One ticket being generated: what was drawn for it, then what happened to it."""

    ticket_id: int
    partner: BulkPartner
    requester_id: int
    requester_label: str
    variant: Variant
    received: datetime
    channel: str
    status: str
    age_hours: float
    agent: tuple[int, str] | None
    created: datetime
    due: datetime
    product_id: int | None
    category_id: int | None
    details: str
    env: str
    impact_id: int | None = None
    assignee_id: int | None = None
    responded: datetime | None = None
    breached: datetime | None = None
    resolved: datetime | None = None
    closed: datetime | None = None
    escalation: str = EscalationStatus.NONE
    updated: datetime | None = None


@dataclass
class Rows:
    """The rows of one batch: new requesters, tickets, messages, events, issue tags,
    first-response SLA clocks and attachments (in the order they are written)."""

    requesters: list[tuple[Any, ...]] = field(default_factory=list)
    tickets: list[tuple[Any, ...]] = field(default_factory=list)
    messages: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    tags: list[tuple[int, int]] = field(default_factory=list)
    clocks: list[tuple[Any, ...]] = field(default_factory=list)
    attachments: list[tuple[Any, ...]] = field(default_factory=list)


class BulkGenerator:
    """Makes ticket rows from rendered request variants; a few random draws per ticket."""

    def __init__(self, *, rng: random.Random, catalogue: Catalogue, team: Team) -> None:
        self.rng = rng
        self.catalogue = catalogue
        self.now = timezone.now()
        self.agents = [(u.pk, u.get_full_name() or u.username) for u in team.triagers]
        self.impact_ids = [i.pk for i in catalogue.impacts]
        self.channel_labels = {value: str(label) for value, label in Channel.choices}
        self.partners = self._partners(catalogue)
        # Larger partners write in more: weights fall off with the partner's place.
        self.partner_cum = list(
            itertools.accumulate(
                (1.0 / (1 + i * 0.25) if p.partner_id else 0.3) for i, p in enumerate(self.partners)
            )
        )

    def _partners(self, catalogue: Catalogue) -> list[BulkPartner]:
        pool = ensure_bulk_requesters(catalogue.partners)
        labels = {
            pk: f"{name} <{email}>" if name else email
            for pk, name, email in Requester.objects.filter(
                pk__in=[pk for ids in pool.values() for pk in ids]
            ).values_list("pk", "name", "email")
        }
        partners: list[BulkPartner] = []
        sources: list[tuple[DemoPartner | None, int | None, int | None]] = [
            (demo, partner.pk, partner.hub_id) for demo, partner in catalogue.partners
        ]
        for demo, partner_id, hub_id in [*sources, (None, None, None)]:
            if not pool.get(partner_id):
                continue
            bulk_partner = BulkPartner(
                partner_id=partner_id,
                hub_id=hub_id,
                hub_slug=demo.hub if demo else None,
                requesters=shape.RequesterPool(
                    heavy=[(pk, labels[pk]) for pk in pool[partner_id]],
                    domain=demo.domain if demo else INDEPENDENT_DOMAIN,
                    names=NAMES_BY_HUB[demo.hub] if demo else next(iter(NAMES_BY_HUB.values())),
                    partner_id=partner_id,
                ),
            )
            bulk_partner.variants = render_variants(self.rng, catalogue, demo, len(self.impact_ids))
            partners.append(bulk_partner)
        return partners

    def rows(self, ids: Sequence[int], reserved: shape.Ids) -> Rows:
        """The rows of the tickets ``ids``; new requesters and messages take ``reserved`` ids."""
        rows = Rows()
        for ticket_id in ids:
            draft = self._draft(ticket_id, reserved, rows)
            if draft.status == Status.NEW or draft.agent is None:
                self._untouched(draft)
            else:
                self._worked(draft, draft.agent, rows.tags)
            self._emit(draft, rows, reserved)
        return rows

    def _draft(self, ticket_id: int, reserved: shape.Ids, rows: Rows) -> _Draft:
        """Who asks what, when and how: the draws every ticket gets."""
        rng, rand, now = self.rng, self.rng.random, self.now
        bp = self.partners[bisect.bisect(self.partner_cum, rand() * self.partner_cum[-1])]
        variant = bp.variants[int(rand() * len(bp.variants))]
        # Volume grows over time: more tickets in recent months than two years ago.
        days_ago = BULK_SPAN_DAYS * (1 - rand() ** 0.75)
        received = working_time(rng, now, days_ago, bp.hub_slug)
        requester_id, requester_label = shape.pick_requester(
            rng, bp.requesters, reserved, received, rows.requesters
        )
        channel = CHANNELS[bisect.bisect(CHANNEL_CUM, rand() * CHANNEL_CUM[-1])]
        status = status_for_age(rng, days_ago)
        age_hours = (now - received).total_seconds() / 3600
        if age_hours < 1:
            status = Status.NEW
        elif status == Status.ESCALATED and not variant.can_escalate:
            status = Status.OPEN
        agents = self.agents
        agent = agents[int(rand() * len(agents))] if agents else None
        on_behalf = channel in ON_BEHALF
        created = received + timedelta(minutes=3 + rand() * 90) if on_behalf else received
        # An email carries no form fields.
        by_email = channel == Channel.EMAIL
        return _Draft(
            ticket_id=ticket_id,
            partner=bp,
            requester_id=requester_id,
            requester_label=requester_label,
            variant=variant,
            received=received,
            channel=channel,
            status=status,
            age_hours=age_hours,
            agent=agent,
            created=min(created, now),
            due=first_response_due(received),
            product_id=variant.product_id,
            category_id=variant.category_id,
            details="{}" if by_email else variant.details_json,
            env="{}" if by_email else variant.env_json,
        )

    def _untouched(self, draft: _Draft) -> None:
        draft.status = Status.NEW
        draft.updated = draft.created
        if draft.channel == Channel.EMAIL:
            # Untriaged email: nobody has said yet what it is about.
            draft.product_id = draft.category_id = None
        draft.breached = draft.due if self.now > draft.due else None

    def _worked(self, draft: _Draft, agent: tuple[int, str], tags: list[tuple[int, int]]) -> None:
        """Triaged and answered by ``agent``; then escalated, still open, or done."""
        rng, rand, variant = self.rng, self.rng.random, draft.variant
        draft.assignee_id = agent[0]
        cum = variant.impact_cum
        draft.impact_id = self.impact_ids[bisect.bisect(cum, rand() * cum[-1])] if cum else None
        room = max(draft.age_hours - 0.05, 0.05)
        delay = min(response_delay_hours(rng), room * (0.2 + 0.7 * rand()))
        responded = max(draft.received + timedelta(hours=delay), draft.created)
        draft.responded = draft.updated = responded
        draft.breached = draft.due if responded > draft.due else None
        left = (self.now - responded).total_seconds() / 3600
        if draft.status == Status.ESCALATED:
            draft.escalation = EscalationStatus.ESCALATED
            draft.updated = responded + timedelta(hours=left * rand())
        elif draft.status in (Status.OPEN, Status.WAITING):
            if (
                draft.status == Status.OPEN
                and variant.can_escalate
                and variant.is_bug
                and rand() < 0.1
            ):
                draft.escalation = EscalationStatus.L2_RESOLVED
            draft.updated = responded + timedelta(hours=min(left, 72) * rand())
        else:
            self._done(draft, responded, left, tags)
        if draft.status in (Status.OPEN, Status.WAITING, Status.ESCALATED) and variant.tag_ids:
            tags.append((draft.ticket_id, variant.tag_ids[0]))

    def _done(
        self, draft: _Draft, responded: datetime, left: float, tags: list[tuple[int, int]]
    ) -> None:
        """Resolved, and closed by the sweep once a quiet week has passed."""
        rng, rand, variant = self.rng, self.rng.random, draft.variant
        if variant.can_escalate and variant.is_bug and rand() < 0.15:
            draft.escalation = EscalationStatus.L2_RESOLVED
        gap = math.exp(rng.uniform(math.log(0.2), math.log(400)))
        resolved = responded + timedelta(hours=min(gap, left * rand()))
        draft.resolved = draft.updated = resolved
        closed = resolved + AUTO_CLOSE_AFTER + timedelta(hours=rand() * 12)
        if closed <= self.now:
            draft.status, draft.closed, draft.updated = Status.CLOSED, closed, closed
        else:
            draft.status = Status.RESOLVED
        if variant.tag_ids and rand() < 0.8:
            tags.append((draft.ticket_id, variant.tag_ids[0]))
            if len(variant.tag_ids) > 1 and rand() < 0.4:
                tags.append((draft.ticket_id, variant.tag_ids[1]))

    def _emit(self, d: _Draft, rows: Rows, reserved: shape.Ids) -> None:
        variant, agent = d.variant, d.agent
        created_by = agent[0] if d.channel in ON_BEHALF and agent else None
        rows.tickets.append(
            (
                d.ticket_id, secrets.token_urlsafe(24), variant.subject, variant.description,
                variant.what_doing, variant.expected, variant.actual, variant.steps,
                d.details, d.env, d.channel, d.requester_id, d.partner.partner_id,
                d.partner.hub_id, d.product_id, d.category_id, d.impact_id, str(d.status),
                str(d.escalation), d.assignee_id, created_by, d.received, d.due, d.responded,
                d.breached, d.resolved, d.closed, d.created, d.updated,
            )
        )  # fmt: skip
        message_id = (
            f"<{self.rng.getrandbits(64):016x}@mail.example.net>"
            if d.channel == Channel.EMAIL
            else ""
        )
        first_id = reserved.first_message()
        rows.messages.append(
            (first_id, d.ticket_id, CUSTOMER, variant.body, None, d.requester_id, message_id,
             d.created)
        )  # fmt: skip
        file = shape.attachment(self.rng, first_id, d.created)
        if file:
            rows.attachments.append(file)
        if d.responded and d.assignee_id:
            end = d.resolved or d.updated or d.responded
            rows.messages += shape.follow_ups(
                self.rng, ticket_id=d.ticket_id, count=shape.thread_length(self.rng),
                start=d.responded, end=end, agent_id=d.assignee_id,
                requester_id=d.requester_id, ids=reserved,
            )  # fmt: skip
        actor_id, label = (
            (agent[0], agent[1]) if created_by and agent else (None, d.requester_label)
        )
        rows.events.append(
            (d.ticket_id, actor_id, label, CREATED, "", "", self.channel_labels[d.channel],
             d.created)
        )  # fmt: skip
        rows.clocks.append(_first_response_clock(d, self.now))


def _first_response_clock(d: _Draft, now: datetime) -> tuple[Any, ...]:
    received, due, responded = d.received, d.due, d.responded
    warn = received + (due - received) * 0.75
    warned = warn if (responded or now) > warn else None
    remaining = BULK_WINDOW - (responded - received) if responded else None
    return (d.ticket_id, FIRST_RESPONSE, BULK_WINDOW, received, due, warn, remaining, warned,
            d.breached, responded, responded or received)  # fmt: skip
