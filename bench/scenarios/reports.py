"""The managers' dashboard, rendered through Django's test client as a support manager.

Each run times the page with :func:`bench.pages.median_ms` (the median of twenty
renderings after a warm-up, in milliseconds): the whole request, every figure's
queries, the charts and the template. The period is the dashboard's default (the last 28 days).
"""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from bench.pages import median_ms, staff_client
from bench.scenarios import Context, scenario
from catalog.models import Hub, Impact, Product
from tickets import roles


@scenario("reports_dashboard", unit="ms")
def reports_dashboard(ctx: Context) -> float:
    """Reports: the dashboard with no filter (the last 28 days)."""
    return median_ms(staff_client(roles.SUPPORT_MANAGER), reverse("reports:dashboard"))


@scenario("reports_dashboard_three_filters", unit="ms")
def reports_dashboard_three_filters(ctx: Context) -> float:
    """Reports: the dashboard for one hub, one product and one impact."""
    hub = Hub.objects.order_by("pk").first()
    product = Product.objects.order_by("pk").first()
    impact = Impact.objects.order_by("level").last()
    if hub is None or product is None or impact is None:
        raise RuntimeError("No taxonomy in the database: run seed_demo first.")
    url = (
        reverse("reports:dashboard")
        + f"?hub={hub.slug}&product={product.slug}&impact={impact.slug}"
    )
    return median_ms(staff_client(roles.SUPPORT_MANAGER), url)


@scenario("reports_dashboard_year", unit="ms")
def reports_dashboard_year(ctx: Context) -> float:
    """Reports: the dashboard over the last 365 days (weekly buckets), no filter."""
    today = timezone.localdate()
    start = today - timedelta(days=364)
    url = reverse("reports:dashboard") + f"?start={start.isoformat()}&end={today.isoformat()}"
    return median_ms(staff_client(roles.SUPPORT_MANAGER), url)
