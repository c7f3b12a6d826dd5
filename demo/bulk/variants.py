"""What bulk tickets are made of: rendered request variants per partner, and the
pool of requesters who send them (created once, never the demo's own)."""

from __future__ import annotations

import itertools
import json
import random
from dataclasses import dataclass, field

from catalog.models import Partner
from demo.bulk.shape import RequesterPool
from demo.people import (
    BULK_INDEPENDENT_REQUESTERS,
    BULK_REQUESTERS_PER_PARTNER,
    FLOW,
    INDEPENDENT_DOMAIN,
    LUMEN,
    NAMES_BY_HUB,
    OTHER,
    RSR,
    DemoPartner,
    demo_requester_emails,
    person_email,
)
from demo.stories.catalogue import Catalogue
from demo.writing import BUG, environment, product_details, render_request, request_values
from tickets import services
from tickets.models import Requester

VARIANTS_PER_TEMPLATE = 8


@dataclass
class Variant:
    """One rendered request, ready to be copied into many rows."""

    subject: str
    description: str
    what_doing: str
    expected: str
    actual: str
    steps: str
    body: str
    product_id: int | None
    category_id: int | None
    is_bug: bool
    can_escalate: bool  # only products with a GitHub repository go to L2
    impact_cum: list[float]
    tag_ids: list[int]
    details_json: str
    env_json: str


@dataclass
class BulkPartner:
    partner_id: int | None
    hub_id: int | None
    hub_slug: str | None
    requesters: RequesterPool
    variants: list[Variant] = field(default_factory=list)


def ensure_bulk_requesters(
    partners: list[tuple[DemoPartner, Partner]],
) -> dict[int | None, list[int]]:
    """A larger, stable pool of requesters per partner (None: no partner); created once.

    They never share an address with the demo's requesters, so bulk tickets are
    not counted as demo tickets.
    """
    wanted: list[Requester] = []
    taken = set(demo_requester_emails())

    def add(name: str, domain: str, partner: Partner | None) -> None:
        email = person_email(name, domain)
        local, _ = email.split("@")
        suffix = 2
        while email in taken:
            email = f"{local}{suffix}@{domain}"
            suffix += 1
        taken.add(email)
        wanted.append(Requester(email=email, name=name, partner=partner))

    for demo, partner in partners:
        firsts, lasts = NAMES_BY_HUB[demo.hub]
        for i in range(BULK_REQUESTERS_PER_PARTNER):
            add(f"{firsts[(i * 7 + len(demo.short)) % len(firsts)]} {lasts[i % len(lasts)]}",
                demo.domain, partner)  # fmt: skip
    hubs = list(NAMES_BY_HUB.values())
    for i in range(BULK_INDEPENDENT_REQUESTERS):
        firsts, lasts = hubs[i % len(hubs)]
        add(f"{firsts[i * 5 % len(firsts)]} {lasts[i * 3 % len(lasts)]}", INDEPENDENT_DOMAIN, None)
    Requester.objects.bulk_create(wanted, ignore_conflicts=True, batch_size=1000)
    pool: dict[int | None, list[int]] = {}
    found = Requester.objects.filter(email__in=[r.email for r in wanted])
    for pk, partner_id in found.order_by("pk").values_list("pk", "partner_id"):
        pool.setdefault(partner_id, []).append(pk)
    return pool


def render_variants(
    rng: random.Random, catalogue: Catalogue, demo: DemoPartner | None, impacts: int
) -> list[Variant]:
    """Requests about the products ``demo`` uses, each rendered a few times over."""
    cat = catalogue
    products = list(demo.products) if demo else [FLOW, RSR, LUMEN]
    templates = [t for p in products for t in cat.templates_by_product.get(p, [])]
    others = cat.templates_by_product.get(OTHER, [])
    # About one request in twelve is about something else ("Other"): fewer variants each.
    other_variants = max(
        1, round(len(templates) * VARIANTS_PER_TEMPLATE / 11 / max(1, len(others)))
    )
    plan = [(t, VARIANTS_PER_TEMPLATE) for t in templates] + [(t, other_variants) for t in others]
    variants = []
    for template, how_many in plan:
        product = cat.products.get(template.product)
        category = cat.categories.get(template.category)
        weights = list(template.impact_weights())[:impacts]
        weights += [1] * (impacts - len(weights))
        tag_ids = [cat.tags[s].pk for s in template.tags if s in cat.tags]
        for _ in range(how_many):
            values = request_values(rng, demo)
            text = render_request(rng, template, values)
            details = product_details(rng, cat.report_fields(template.product), values)
            env = environment(rng, template.uses, values)
            variants.append(
                Variant(
                    **text,
                    body=services.compose_report(**text_without_subject(text)),
                    product_id=product.pk if product else None,
                    category_id=category.pk if category else None,
                    is_bug=template.category == BUG,
                    can_escalate=bool(product and product.github_repository),
                    impact_cum=list(itertools.accumulate(weights)),
                    tag_ids=tag_ids,
                    details_json=json.dumps(details, ensure_ascii=False),
                    env_json=json.dumps(env, ensure_ascii=False),
                )
            )
    return variants


def text_without_subject(text: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in text.items() if k != "subject"}
