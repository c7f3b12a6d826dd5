"""The managers' dashboard, rendered through Django's test client as a support manager.

Each run renders the page ``REQUESTS`` times (after one warm-up) and reports the
median in milliseconds: the whole request, every figure's queries, the charts
and the template. The period is the dashboard's default (the last 28 days).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.scenarios import Context, scenario
from bench.scenarios.desk import _median_ms
from tickets import roles
from tickets.models import Hub, Impact, Product


def _manager_client() -> Client:
    manager = User.objects.filter(
        groups__name=roles.SUPPORT_MANAGER, is_active=True, is_staff=True
    ).first()
    if manager is None:
        raise RuntimeError("No support manager in the database: run seed_demo first.")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(manager)
    return client


@scenario("reports_dashboard", unit="ms")
def reports_dashboard(ctx: Context) -> float:
    """Reports: the dashboard with no filter (the last 28 days)."""
    return _median_ms(_manager_client(), reverse("reports:dashboard"))


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
    return _median_ms(_manager_client(), url)


@scenario("reports_dashboard_year", unit="ms")
def reports_dashboard_year(ctx: Context) -> float:
    """Reports: the dashboard over the last 365 days (weekly buckets), no filter."""
    today = timezone.localdate()
    start = today - timedelta(days=364)
    url = reverse("reports:dashboard") + f"?start={start.isoformat()}&end={today.isoformat()}"
    return _median_ms(_manager_client(), url)
