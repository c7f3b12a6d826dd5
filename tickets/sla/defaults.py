"""The SLA targets a fresh help desk starts with, per impact (admins change them afterwards).

Critical and Significant tickets get their own, shorter targets; every other
impact (Minor, Low, none set) follows the default policy: first and next
response within one working day; an urgent ticket follows the urgent policy.
Migrations 0012 and 0013 seed the same values (with their own copies); tests and
``seed_demo`` put them back with :func:`seed_default_policies`, which only
creates what is missing.
"""

from __future__ import annotations

from decimal import Decimal

from catalog.models import Impact
from tickets.models.sla import SlaPolicy

# impact slug -> (first response, next response), in working days
DEFAULT_TARGETS: dict[str, tuple[Decimal, Decimal]] = {
    "critical": (Decimal("0.25"), Decimal("0.25")),
    "significant": (Decimal("0.5"), Decimal("0.5")),
}
DEFAULT_POLICY_DAYS = Decimal("1")
# While a ticket is urgent: two working hours for each answer (a quarter of 09:00-17:00).
URGENT_TARGET_DAYS = Decimal("0.25")


def seed_default_policies() -> None:
    """The default policy and the per-impact ones, where none exists yet (never changed)."""
    SlaPolicy.objects.get_or_create(
        urgent=True,
        defaults={
            "first_response_days": URGENT_TARGET_DAYS,
            "next_response_days": URGENT_TARGET_DAYS,
        },
    )
    default, _created = SlaPolicy.objects.get_or_create(
        impact=None,
        urgent=False,
        defaults={
            "first_response_days": DEFAULT_POLICY_DAYS,
            "next_response_days": DEFAULT_POLICY_DAYS,
        },
    )
    for slug, (first, following) in DEFAULT_TARGETS.items():
        impact = Impact.objects.filter(slug=slug).first()
        if impact is None or SlaPolicy.objects.filter(impact=impact).exists():
            continue
        SlaPolicy.objects.create(
            impact=impact,
            first_response_days=first,
            next_response_days=following,
            resolution_days=default.resolution_days,
        )
