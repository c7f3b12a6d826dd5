"""The agent desk's pages, rendered through Django's test client as a logged-in L1 agent.

Each run times the page with :func:`bench.pages.median_ms` (the median of twenty
renderings after a warm-up, in milliseconds): the whole request, middleware,
queries and template.
"""

from __future__ import annotations

from django.urls import reverse

from bench.pages import median_ms, staff_client
from bench.scenarios import Context, scenario
from catalog.models import Category, Hub, Impact
from tickets import roles
from tickets.models import Ticket


@scenario("desk_queue_default", unit="ms")
def desk_queue_default(ctx: Context) -> float:
    """Desk: the default queue ("New — to triage", due soonest first, counts of every queue)."""
    return median_ms(staff_client(roles.L1_AGENT), reverse("desk:queue", kwargs={"queue": "new"}))


@scenario("desk_queue_three_filters", unit="ms")
def desk_queue_three_filters(ctx: Context) -> float:
    """Desk: "All" filtered by hub, category and impact, newest first."""
    hub = Hub.objects.order_by("pk").first()
    category = Category.objects.get(slug="bug")
    impact = Impact.objects.get(slug="significant")
    assert hub is not None
    url = reverse("desk:queue", kwargs={"queue": "all"})
    url += f"?hub={hub.slug}&category={category.slug}&impact={impact.slug}"
    return median_ms(staff_client(roles.L1_AGENT), url)


@scenario("desk_workspace", unit="ms")
def desk_workspace(ctx: Context) -> float:
    """Desk: one ticket's workspace, opened from the "All" queue (with next / previous)."""
    last = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ticket = Ticket.objects.filter(pk__gte=ctx.rng.randint(1, max(last, 1))).order_by("pk").first()
    assert ticket is not None
    url = reverse("desk:ticket", kwargs={"ticket_id": ticket.pk}) + "?from=all"
    return median_ms(staff_client(roles.L1_AGENT), url)
