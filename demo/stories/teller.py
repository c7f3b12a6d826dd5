"""One demo ticket's life told through the services, then moved back to when it happened."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from catalog.models import Impact, Product
from demo.people import DEMO_SPAN_DAYS, FLOW, LUMEN, OTHER, RSR, Team
from demo.stories.acts import Scene, act
from demo.stories.catalogue import (
    STATUS_ORDER,
    Catalogue,
    channel_for,
    demo_partner_for,
    first_response_due,
    status_for_age,
    working_time,
)
from demo.stories.plot import Step, plan_steps
from demo.writing import (
    BUG,
    FEATURE,
    QUESTION,
    RequestTemplate,
    environment,
    first_name,
    product_details,
    render_request,
    request_values,
)
from tickets import services, sla
from tickets.models import Channel, Message, Requester, Status, Ticket, TicketEvent


class Stamper:
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


class DemoStories:
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
            if (demo := demo_partner_for(r.partner)) is not None
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
        demo = demo_partner_for(requester.partner)
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
        steps = plan_steps(rng, template, status, agent, age_hours, can_escalate=can_escalate)
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
        steps: list[Step],
    ) -> Ticket:
        on_behalf = channel in (Channel.SLACK, Channel.PHONE, Channel.OTHER)
        # An agent logs a Slack message or a call a little after the client reached out.
        created = received + timedelta(minutes=self.rng.uniform(3, 90)) if on_behalf else received
        created = min(created, self.now - timedelta(minutes=1))
        received = min(received, created)
        for step in steps:
            step.hours = max(step.hours, (created - received).total_seconds() / 3600)
        ticket, details = self._create(
            template=template,
            values=values,
            requester=requester,
            channel=channel,
            by=agent if on_behalf else None,
            received=received,
        )
        stamper = Stamper(ticket.pk)
        stamper.stamp(created)
        context = self._context(template, values, requester, agent, details)
        scene = Scene(
            rng=self.rng,
            catalogue=self.catalogue,
            team=self.team,
            ticket=ticket,
            template=template,
            context=context,
            requester=requester,
            l2=self.rng.choice(self.team.l2) if self.team.l2 else agent,
            impact=impact,
            by_email=channel == Channel.EMAIL,
        )
        timestamps: dict[str, datetime] = {}
        for step in steps[1:]:
            at = received + timedelta(hours=step.hours)
            act(scene, step)
            stamper.stamp(at)
            timestamps.setdefault(step.action, at)  # the first of each kind counts
            timestamps[f"last_{step.action}"] = at
        last = received + timedelta(hours=steps[-1].hours)
        self._backdate(ticket, received=received, created=created, last=last, at=timestamps)
        return ticket

    def _create(
        self,
        *,
        template: RequestTemplate,
        values: dict[str, str],
        requester: Requester,
        channel: str,
        by: User | None,
        received: datetime,
    ) -> tuple[Ticket, dict[str, Any]]:
        """The request as it came in; returns the ticket and the product details it gave."""
        rng, cat = self.rng, self.catalogue
        by_email = channel == Channel.EMAIL
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
            product=None if by_email else cat.products.get(template.product),
            category=None if by_email else cat.categories.get(template.category),
            partner=requester.partner,
            product_details={} if by_email else details,
            environment={} if by_email else environment(rng, template.uses, values),
            received_at=received,
            by=by,
            notify_requester=False,
            **text,
        )
        return ticket, details

    def _context(
        self,
        template: RequestTemplate,
        values: dict[str, str],
        requester: Requester,
        agent: User | None,
        details: dict[str, Any],
    ) -> dict[str, str]:
        """What the replies and notes of this story may mention."""
        rng = self.rng
        product: Product | None = self.catalogue.products.get(template.product)
        issue = str(rng.randint(1200, 5400))
        release = f"v{rng.randint(1, 3)}.{rng.randint(10, 60)}.{rng.randint(0, 9)}"
        repository = product.github_repository if product and product.github_repository else ""
        return {
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

    def _backdate(
        self,
        ticket: Ticket,
        *,
        received: datetime,
        created: datetime,
        last: datetime,
        at: dict[str, datetime],
    ) -> None:
        """Dates and SLA fields as the dated steps would have left them."""
        ticket.refresh_from_db()
        responded = at.get("reply")
        # The clock as the dated steps would have left it, on the hub's calendar.
        clock = sla.sla_restate_first_response(
            ticket,
            responded_at=responded,
            stopped_at=at.get("resolve") or at.get("close"),
            as_of=self.now,
        )
        # The customer spoke last (the service marked it) at their last dated message.
        replied_last = at.get("last_reply")
        spoke_last = at.get("last_customer") if ticket.customer_replied_at else None
        sla.sla_restate_next_response(ticket, customer_at=spoke_last, as_of=self.now)
        due = clock.due_at if clock and clock.due_at else first_response_due(received)
        breached = due if (responded or self.now) > due else None
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=created,
            updated_at=max(last, created),
            first_responded_at=responded,
            first_response_due_at=due,
            first_response_breached_at=breached,
            last_public_reply_at=replied_last,
            customer_replied_at=spoke_last,
            resolved_at=at.get("last_resolve") if ticket.resolved_at else None,
            closed_at=at.get("close") if ticket.closed_at else None,
        )
