"""What the demo generators pick from: the taxonomy rows joined with the request
templates, and the moments, statuses and channels a generated ticket gets.

Shared by the stories (through the services) and the bulk generator (raw rows).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from catalog.models import Category, Impact, IssueTag, Partner, Product
from demo.people import (
    DEMO_PARTNERS,
    FLOW,
    HUB_UTC_OFFSET_HOURS,
    LUMEN,
    OTHER,
    RSR,
    DemoPartner,
    seed_partners,
)
from demo.writing import (
    TEMPLATES,
    RequestTemplate,
    environment,
    product_details,
    render_request,
    request_values,
)
from tickets.models import Channel, Requester, Status


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
        demo = demo_partner_for(requester.partner)
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


def demo_partner_for(partner: Partner | None) -> DemoPartner | None:
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
