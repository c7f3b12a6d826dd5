"""The demo: a few hundred tickets played through the services, then moved back in time."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from catalog.defaults import seed_default_taxonomy
from catalog.models import Category, Impact, IssueTag, Partner, Product
from demo.people import (
    AUTO_CLOSE_AFTER,
    DEFAULT_DEMO_TICKETS,
    DEFAULT_SEED,
    DEMO_PARTNERS,
    DEMO_SPAN_DAYS,
    FLOW,
    HUB_UTC_OFFSET_HOURS,
    LUMEN,
    OTHER,
    RSR,
    DemoPartner,
    StaffAccount,
    Team,
    demo_requester_emails,
    seed_partners,
    seed_requesters,
    seed_staff,
)
from demo.writing import (
    ACKNOWLEDGEMENTS,
    ANSWER_REPLY,
    ASK_FOR_DETAILS,
    BUG,
    DETAILS_FROM_REQUESTER,
    ESCALATION_NOTES,
    FEATURE,
    FEATURE_REPLY,
    FIX_REPLY,
    GENERIC_FIXES,
    INTERNAL_NOTES,
    L2_DONE_NOTES,
    L2_NOTES,
    QUESTION,
    SIGN_OFF,
    TEMPLATES,
    THANKS,
    RequestTemplate,
    environment,
    first_name,
    product_details,
    render_request,
    request_values,
)
from tickets import services, sla
from tickets.models import (
    Channel,
    EscalationStatus,
    Message,
    MessageKind,
    Requester,
    Status,
    Ticket,
    TicketEvent,
)

# --------------------------------------------------------------------------- #
# The catalogue: templates joined with the rows they refer to                 #
# --------------------------------------------------------------------------- #


@dataclass
class Catalogue:
    """The database rows the generators pick from, loaded once per run."""

    products: dict[str, Product]
    categories: dict[str, Category]
    impacts: list[Impact]  # most severe first
    tags: dict[str, IssueTag]
    partners: list[tuple[DemoPartner, Partner]]
    templates_by_product: dict[str, list[RequestTemplate]]

    @classmethod
    def load(cls) -> Catalogue:
        """Read the taxonomy; the demo partners are created first if they are missing."""
        partners, _ = seed_partners()
        by_product: dict[str, list[RequestTemplate]] = {}
        for template in TEMPLATES:
            by_product.setdefault(template.product, []).append(template)
        return cls(
            products={p.slug: p for p in Product.objects.all()},
            categories={c.slug: c for c in Category.objects.all()},
            impacts=list(Impact.objects.order_by("level")),
            tags={t.slug: t for t in IssueTag.objects.all()},
            partners=[(demo, partners[demo.name]) for demo in DEMO_PARTNERS],
            templates_by_product=by_product,
        )

    def pick_template(self, rng: random.Random, demo: DemoPartner | None) -> RequestTemplate:
        """A request about a product the partner uses; now and then about anything else."""
        products = list(demo.products) if demo else [FLOW, RSR, LUMEN]
        product = OTHER if rng.random() < 0.08 else rng.choice(products)
        return rng.choice(self.templates_by_product[product])

    def pick_impact(self, rng: random.Random, template: RequestTemplate) -> Impact | None:
        if not self.impacts:
            return None
        weights = list(template.impact_weights())
        weights += [1] * (len(self.impacts) - len(weights))
        return rng.choices(self.impacts, weights=weights[: len(self.impacts)])[0]

    def report_fields(self, product_slug: str) -> list[dict[str, Any]]:
        product = self.products.get(product_slug)
        return list(product.report_fields) if product else []

    def contact_us_request(
        self, rng: random.Random, requesters: Sequence[Requester]
    ) -> dict[str, Any]:
        """Keyword arguments for services.ticket_create, as the Contact Us form sends them."""
        requester = rng.choice(requesters)
        demo = _demo_partner_for(requester.partner)
        template = self.pick_template(rng, demo)
        values = request_values(rng, demo)
        return {
            "requester_email": requester.email,
            "requester_name": requester.name,
            "channel": Channel.WEB,
            "product": self.products.get(template.product),
            "category": self.categories.get(template.category),
            "partner": requester.partner,
            "product_details": product_details(rng, self.report_fields(template.product), values),
            "environment": environment(rng, template.uses, values),
            **render_request(rng, template, values),
        }


def _demo_partner_for(partner: Partner | None) -> DemoPartner | None:
    if partner is None:
        return None
    for demo in DEMO_PARTNERS:
        if demo.name.lower() == partner.name.lower():
            return demo
    return None


# --------------------------------------------------------------------------- #
# Time                                                                         #
# --------------------------------------------------------------------------- #


def working_time(rng: random.Random, now: datetime, days_ago: float, hub: str | None) -> datetime:
    """A moment about ``days_ago`` back, on a weekday, in the hub's working hours (mostly)."""
    offset = HUB_UTC_OFFSET_HOURS.get(hub or "", 0)
    local_now = now + timedelta(hours=offset)
    day = local_now - timedelta(days=days_ago)
    if day.weekday() >= 5 and rng.random() < 0.85:
        # People write on a weekend, but far less: move most to the Friday before.
        day -= timedelta(days=day.weekday() - 4)
    hour = rng.triangular(7.0, 18.5, 10.5) if rng.random() < 0.9 else rng.uniform(0, 24)
    local = day.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(hours=hour)
    moment = local - timedelta(hours=offset)
    if moment > now:
        moment = now - timedelta(minutes=rng.uniform(5, 240))
    return moment


def first_response_due(received: datetime) -> datetime:
    """One working day later (weekends skipped); the commitment in the support workflow."""
    due = received + timedelta(days=1)
    while due.weekday() >= 5:
        due += timedelta(days=1)
    return due


def status_for_age(rng: random.Random, days: float) -> str:
    """Recent tickets are still being worked on; older ones are nearly all done.

    "Resolved" here means done: the generators close a resolved ticket as the
    sweep would, once a quiet week has passed since its resolution.
    """
    weights: tuple[float, ...]
    if days < 2:
        weights = (40, 25, 12, 8, 15)
    elif days < 14:
        weights = (3, 14, 14, 10, 59)
    elif days < 60:
        weights = (0, 2, 2, 4, 92)
    else:
        weights = (0, 0.1, 0.1, 0.4, 99.4)
    return rng.choices(STATUS_ORDER[:5], weights=weights)[0]


STATUS_ORDER = (
    Status.NEW,
    Status.OPEN,
    Status.WAITING,
    Status.ESCALATED,
    Status.RESOLVED,
    Status.CLOSED,
)


def response_delay_hours(rng: random.Random) -> float:
    """Time to the first reply: usually a couple of hours, sometimes more than a day."""
    return math.exp(rng.uniform(math.log(0.15), math.log(36)))


def channel_for(rng: random.Random, impact: Impact | None) -> str:
    if impact is not None and impact.level == 1 and rng.random() < 0.4:
        return Channel.SLACK  # the workflow asks for Slack when it is urgent
    return rng.choices(
        (Channel.WEB, Channel.EMAIL, Channel.SLACK, Channel.PHONE, Channel.OTHER),
        weights=(55, 25, 8, 5, 7),
    )[0]


# --------------------------------------------------------------------------- #
# The demo: tickets through the services                                       #
# --------------------------------------------------------------------------- #


@dataclass
class DemoReport:
    staff: list[StaffAccount]
    partners_created: int
    requesters_created: int
    tickets_created: int
    tickets_total: int


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
    staff = seed_staff(debug=debug)
    partners, partners_created = seed_partners()
    requesters, requesters_created = seed_requesters(partners)
    existing = demo_ticket_count()
    missing = max(0, tickets - existing)
    if missing:
        # Seeded from what exists, so topping up a partial demo does not repeat its tickets.
        rng = random.Random(seed + existing)  # noqa: S311 - demo content, not secrets
        story = _DemoStories(rng=rng, catalogue=Catalogue.load(), requesters=requesters)
        for index in range(existing, existing + missing):
            story.tell(index)
    return DemoReport(
        staff=staff,
        partners_created=partners_created,
        requesters_created=requesters_created,
        tickets_created=missing,
        tickets_total=existing + missing,
    )


@dataclass
class _Step:
    hours: float  # after the request was received
    action: str
    text: str = ""
    by: User | None = None


class _Stamper:
    """Moves the rows a service just wrote to the moment the story says they happened."""

    def __init__(self, ticket_id: int) -> None:
        self.ticket_id = ticket_id
        self.message_id = 0
        self.event_id = 0

    def stamp(self, at: datetime) -> None:
        messages = Message.objects.filter(ticket_id=self.ticket_id, pk__gt=self.message_id)
        events = TicketEvent.objects.filter(ticket_id=self.ticket_id, pk__gt=self.event_id)
        message_ids = list(messages.values_list("pk", flat=True))
        event_ids = list(events.values_list("pk", flat=True))
        if message_ids:
            Message.objects.filter(pk__in=message_ids).update(created_at=at)
            self.message_id = max(message_ids)
        if event_ids:
            TicketEvent.objects.filter(pk__in=event_ids).update(created_at=at)
            self.event_id = max(event_ids)


class _DemoStories:
    """Plays one ticket's life through the services: request, triage, replies, resolution."""

    # The first tickets cover every status, product/category pair and impact, so a
    # small demo (and the tests) still shows every filter value.
    COVER = (
        (FLOW, BUG), (RSR, QUESTION), (LUMEN, FEATURE), (OTHER, BUG), (FLOW, QUESTION),
        (RSR, FEATURE), (LUMEN, BUG), (OTHER, QUESTION), (FLOW, FEATURE), (RSR, BUG),
        (LUMEN, QUESTION), (OTHER, FEATURE),
    )  # fmt: skip

    def __init__(
        self, *, rng: random.Random, catalogue: Catalogue, requesters: list[Requester]
    ) -> None:
        self.rng = rng
        self.catalogue = catalogue
        self.requesters = requesters
        self.team = Team.load()
        self.now = timezone.now()
        self.triaged = 0

    def _requester_for(self, template: RequestTemplate | None) -> Requester:
        rng = self.rng
        if template is None:
            return rng.choice(self.requesters)
        users = [
            r
            for r in self.requesters
            if (demo := _demo_partner_for(r.partner)) is not None
            and (template.product == OTHER or template.product in demo.products)
        ]
        return rng.choice(users or self.requesters)

    def tell(self, index: int) -> Ticket:
        rng = self.rng
        cover = index < len(self.COVER)
        template: RequestTemplate | None = None
        if cover:
            cover_product, cover_category = self.COVER[index]
            choices = [
                t
                for t in self.catalogue.templates_by_product[cover_product]
                if t.category == cover_category
            ]
            template = rng.choice(choices)
        requester = self._requester_for(template)
        demo = _demo_partner_for(requester.partner)
        if template is None:
            template = self.catalogue.pick_template(rng, demo)
        status: str | None = STATUS_ORDER[index % len(STATUS_ORDER)] if cover else None
        days_ago = DEMO_SPAN_DAYS * (1 - rng.random() ** 0.6)
        if status is None:
            status = status_for_age(rng, days_ago)
        elif status == Status.CLOSED:
            days_ago = max(days_ago, 30)  # room for the story and the quiet week after it
        elif status == Status.RESOLVED:
            days_ago = min(days_ago, rng.uniform(1, 6))
        elif status in (Status.NEW, Status.OPEN, Status.WAITING):
            days_ago = min(days_ago, rng.uniform(0.2, 6))
        received = working_time(rng, self.now, days_ago, demo.hub if demo else None)
        age_hours = (self.now - received).total_seconds() / 3600
        if status != Status.NEW and age_hours < 1:
            status = Status.NEW  # too fresh for anyone to have answered yet

        impact = None
        if status != Status.NEW:
            if self.triaged < len(self.catalogue.impacts):
                impact = self.catalogue.impacts[self.triaged]
            else:
                impact = self.catalogue.pick_impact(rng, template)
            self.triaged += 1
        channel = Channel.WEB if cover else channel_for(rng, impact)
        values = request_values(rng, demo)
        agent = rng.choice(self.team.triagers) if self.team.triagers else None
        if agent is None:
            status = Status.NEW  # nobody to work the ticket: it waits in the queue
        product = self.catalogue.products.get(template.product)
        can_escalate = bool(product and product.github_repository)
        if status == Status.ESCALATED and not can_escalate:
            status = Status.OPEN  # L2 works in the product's repository; "Other" has none
        steps = self._steps(template, status, agent, age_hours, can_escalate=can_escalate)
        return self._play(
            template=template,
            values=values,
            requester=requester,
            channel=channel,
            impact=impact,
            agent=agent,
            received=received,
            steps=steps,
        )

    def _steps(
        self,
        template: RequestTemplate,
        status: str,
        agent: User | None,
        age_hours: float,
        *,
        can_escalate: bool,
    ) -> list[_Step]:
        """The story from request to ``status``, in hours after the request, fitted to its age."""
        rng = self.rng
        steps = [_Step(0.0, "create")]
        if status == Status.NEW or agent is None:
            return steps
        t = response_delay_hours(rng)
        steps.append(_Step(t, "triage", by=agent))
        is_bug = template.category == BUG

        def add(gap: float, action: str, text: str = "", by: User | None = None) -> None:
            nonlocal t
            t += gap
            steps.append(_Step(t, action, text, by))

        if status == Status.WAITING:
            add(0.1, "reply", "ask", agent)
            add(0.01, "waiting", by=agent)
        elif status == Status.OPEN:
            if rng.random() < 0.5:
                add(0.1, "reply", "ask", agent)
                add(0.01, "waiting", by=agent)
                add(rng.uniform(2, 48), "customer", "details")
            else:
                add(0.1, "reply", "ack" if is_bug else "answer", agent)
            if rng.random() < 0.4:
                add(rng.uniform(0.2, 6), "note", "internal", agent)
        elif status == Status.ESCALATED:
            add(0.1, "reply", "ack", agent)
            add(rng.uniform(1, 24), "escalate", by=agent)
            if rng.random() < 0.5:
                add(rng.uniform(4, 72), "l2_note")
        else:  # resolved or closed
            path = rng.random()
            if is_bug and can_escalate and path < 0.3:
                add(0.1, "reply", "ack", agent)
                add(rng.uniform(1, 24), "escalate", by=agent)
                add(rng.uniform(4, 72), "l2_note")
                add(rng.uniform(24, 240), "l2_resolved")
                add(rng.uniform(0.5, 20), "reply", "fix", agent)
            elif path < 0.55:
                add(0.1, "reply", "ask", agent)
                add(0.01, "waiting", by=agent)
                add(rng.uniform(2, 72), "customer", "details")
                add(rng.uniform(0.5, 24), "reply", "fix" if is_bug else "answer", agent)
            else:
                add(0.1, "reply", "fix" if is_bug else "answer", agent)
            if rng.random() < 0.4:
                add(rng.uniform(0.5, 30), "customer", "thanks")
            add(rng.uniform(0.02, 2), "resolve", by=agent)
            wait = AUTO_CLOSE_AFTER.total_seconds() / 3600 + rng.uniform(0, 12)
            # Closing is the sweep after a quiet week: too young for that, it stays resolved.
            if t + wait < age_hours:
                add(wait, "close")

        # A story longer than the ticket's age is squeezed to fit, keeping its order.
        room = max(age_hours - 0.1, 0.1)
        if steps[-1].hours > room:
            factor = room / steps[-1].hours
            for step in steps:
                step.hours *= factor
        return steps

    def _text(self, kind: str, template: RequestTemplate, context: dict[str, str]) -> str:
        rng = self.rng
        if kind == "ask":
            body = ASK_FOR_DETAILS[template.product] + SIGN_OFF
        elif kind == "ack":
            body = rng.choice(ACKNOWLEDGEMENTS) + SIGN_OFF
        elif kind == "answer":
            if template.reply:
                body = ANSWER_REPLY.replace("{answer}", template.reply) + SIGN_OFF
            else:
                body = FEATURE_REPLY + SIGN_OFF
        elif kind == "fix":
            fix = template.fix or rng.choice(GENERIC_FIXES)
            body = FIX_REPLY.replace("{fix}", fix) + SIGN_OFF
        elif kind == "details":
            body = DETAILS_FROM_REQUESTER[template.product]
        elif kind == "thanks":
            body = rng.choice(THANKS)
        elif kind == "internal":
            body = rng.choice(INTERNAL_NOTES)
        elif kind == "escalation":
            body = rng.choice(ESCALATION_NOTES)
        elif kind == "l2":
            body = rng.choice(L2_NOTES)
        elif kind == "l2_done":
            body = rng.choice(L2_DONE_NOTES)
        else:
            body = kind
        return body.format_map(context)

    def _play(
        self,
        *,
        template: RequestTemplate,
        values: dict[str, str],
        requester: Requester,
        channel: str,
        impact: Impact | None,
        agent: User | None,
        received: datetime,
        steps: list[_Step],
    ) -> Ticket:
        rng = self.rng
        cat = self.catalogue
        product = cat.products.get(template.product)
        category = cat.categories.get(template.category)
        on_behalf = channel in (Channel.SLACK, Channel.PHONE, Channel.OTHER)
        by_email = channel == Channel.EMAIL
        # An agent logs a Slack message or a call a little after the client reached out.
        created = received + timedelta(minutes=rng.uniform(3, 90)) if on_behalf else received
        created = min(created, self.now - timedelta(minutes=1))
        received = min(received, created)
        for step in steps:
            step.hours = max(step.hours, (created - received).total_seconds() / 3600)
        details = product_details(rng, cat.report_fields(template.product), values)
        text: dict[str, Any] = render_request(rng, template, values)
        if by_email:
            # An email is one block of text: no form fields, no product or category yet.
            text["description"] = services.compose_report(
                description=text["description"],
                what_doing=text.pop("what_doing"),
                expected=text.pop("expected"),
                actual=text.pop("actual"),
                steps=text.pop("steps"),
            )
        ticket = services.ticket_create(
            requester_email=requester.email,
            requester_name=requester.name,
            channel=channel,
            product=None if by_email else product,
            category=None if by_email else category,
            partner=requester.partner,
            product_details={} if by_email else details,
            environment={} if by_email else environment(rng, template.uses, values),
            received_at=received,
            by=agent if on_behalf else None,
            notify_requester=False,
            **text,
        )
        stamper = _Stamper(ticket.pk)
        stamper.stamp(created)
        issue = str(rng.randint(1200, 5400))
        release = f"v{rng.randint(1, 3)}.{rng.randint(10, 60)}.{rng.randint(0, 9)}"
        repository = product.github_repository if product and product.github_repository else ""
        context = {
            **values,
            "first_name": first_name(requester.name),
            "agent": agent.get_full_name() if agent else "",
            "product": product.name if product else "",
            "repository": repository,
            "issue": issue,
            "release": release,
            "device_id": details.get("device_id", "samsung-07"),
            "rsr_page": details.get("rsr_page", f"/my-rsr/projects/{values['project_id']}"),
        }
        l2 = rng.choice(self.team.l2) if self.team.l2 else agent
        timestamps: dict[str, datetime] = {}
        for step in steps[1:]:
            at = received + timedelta(hours=step.hours)
            self._act(ticket, step, template, context, requester, l2, impact, by_email)
            stamper.stamp(at)
            timestamps.setdefault(step.action, at)  # the first of each kind counts
            timestamps[f"last_{step.action}"] = at
        last = received + timedelta(hours=steps[-1].hours)
        ticket.refresh_from_db()
        responded = timestamps.get("reply")
        # The clock as the dated steps would have left it, on the hub's calendar.
        clock = sla.sla_restate_first_response(
            ticket,
            responded_at=responded,
            stopped_at=timestamps.get("resolve") or timestamps.get("close"),
            as_of=self.now,
        )
        due = clock.due_at if clock and clock.due_at else first_response_due(received)
        breached = due if (responded or self.now) > due else None
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=created,
            updated_at=max(last, created),
            first_responded_at=responded,
            first_response_due_at=due,
            first_response_breached_at=breached,
            resolved_at=timestamps.get("last_resolve") if ticket.resolved_at else None,
            closed_at=timestamps.get("close") if ticket.closed_at else None,
        )
        return ticket

    def _act(
        self,
        ticket: Ticket,
        step: _Step,
        template: RequestTemplate,
        context: dict[str, str],
        requester: Requester,
        l2: User | None,
        impact: Impact | None,
        by_email: bool,
    ) -> None:
        cat = self.catalogue
        agent = step.by
        action = step.action
        if action == "triage":
            changes: dict[str, Any] = {"impact": impact}
            if by_email:
                changes["product"] = cat.products.get(template.product)
                changes["category"] = cat.categories.get(template.category)
            services.ticket_change_fields(ticket=ticket, by=agent, changes=changes, notify=False)
            tags = [cat.tags[slug] for slug in template.tags if slug in cat.tags]
            if tags:
                services.ticket_set_issue_tags(ticket=ticket, tags=tags, by=agent)
            # A critical request is often handed out by the manager.
            assigner = agent
            if impact is not None and impact.level == 1 and self.team.managers:
                assigner = self.team.managers[0]
            services.ticket_assign(ticket=ticket, assignee=agent, by=assigner)
        elif action == "reply":
            services.ticket_add_message(
                ticket=ticket,
                kind=MessageKind.REPLY,
                body=self._text(step.text, template, context),
                by=agent,
                notify=False,
            )
        elif action == "waiting":
            services.ticket_change_status(
                ticket=ticket, status=Status.WAITING, by=agent, notify=False
            )
        elif action == "customer":
            services.ticket_add_message(
                ticket=ticket,
                kind=MessageKind.CUSTOMER,
                body=self._text(step.text, template, context),
                requester=requester,
                notify=False,
            )
        elif action == "note":
            services.ticket_add_message(
                ticket=ticket,
                kind=MessageKind.NOTE,
                body=self._text(step.text, template, context),
                by=agent,
                notify=False,
            )
        elif action == "escalate":
            services.ticket_add_message(
                ticket=ticket,
                kind=MessageKind.NOTE,
                body=self._text("escalation", template, context),
                by=agent,
                notify=False,
            )
            services.ticket_mark_escalated(ticket=ticket, by=agent)
        elif action == "l2_note" and l2 is not None:
            services.ticket_add_message(
                ticket=ticket,
                kind=MessageKind.NOTE,
                body=self._text("l2", template, context),
                by=l2,
                notify=False,
            )
        elif action == "l2_resolved":
            if l2 is not None:
                services.ticket_add_message(
                    ticket=ticket,
                    kind=MessageKind.NOTE,
                    body=self._text("l2_done", template, context),
                    by=l2,
                    notify=False,
                )
            # The GitHub issue closing moves it back to L1: the system does both.
            services.ticket_change_escalation_status(
                ticket=ticket, escalation_status=EscalationStatus.L2_RESOLVED, by=None
            )
            services.ticket_change_status(ticket=ticket, status=Status.OPEN, by=None, notify=False)
        elif action == "resolve":
            services.ticket_change_status(
                ticket=ticket, status=Status.RESOLVED, by=agent, notify=False
            )
        elif action == "close":
            services.ticket_change_status(
                ticket=ticket, status=Status.CLOSED, by=None, notify=False
            )
