"""The agent desk's pages, rendered through Django's test client as a logged-in L1 agent.

Each run renders the page ``REQUESTS`` times (after one warm-up) and reports the
median in milliseconds: the whole request, middleware, queries and template.
"""

from __future__ import annotations

import statistics
import time

from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.urls import reverse

from bench.scenarios import Context, scenario
from tickets import roles
from tickets.models import Category, Hub, Impact, Ticket

REQUESTS = 20


def _agent_client() -> Client:
    agent = User.objects.filter(groups__name=roles.L1_AGENT, is_active=True, is_staff=True).first()
    if agent is None:
        raise RuntimeError("No L1 agent in the database: run seed_demo first.")
    # secure=True below: with DEBUG off the settings redirect plain HTTP.
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(agent)
    return client


# Production serves hashed static names from collectstatic's manifest; the bench has
# none, so plain static URLs (a lookup either way, not what is measured here).
@override_settings(
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
)
def _median_ms(client: Client, url: str) -> float:
    response = client.get(url, secure=True)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        client.get(url, secure=True)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


@scenario("desk_queue_default", unit="ms")
def desk_queue_default(ctx: Context) -> float:
    """Desk: the default queue ("New — to triage", due soonest first, counts of every queue)."""
    return _median_ms(_agent_client(), reverse("desk:queue", kwargs={"queue": "new"}))


@scenario("desk_queue_three_filters", unit="ms")
def desk_queue_three_filters(ctx: Context) -> float:
    """Desk: "All" filtered by hub, category and impact, newest first."""
    hub = Hub.objects.order_by("pk").first()
    category = Category.objects.get(slug="bug")
    impact = Impact.objects.get(slug="significant")
    assert hub is not None
    url = reverse("desk:queue", kwargs={"queue": "all"})
    return _median_ms(
        _agent_client(), f"{url}?hub={hub.slug}&category={category.slug}&impact={impact.slug}"
    )


@scenario("desk_workspace", unit="ms")
def desk_workspace(ctx: Context) -> float:
    """Desk: one ticket's workspace, opened from the "All" queue (with next / previous)."""
    last = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ticket = Ticket.objects.filter(pk__gte=ctx.rng.randint(1, max(last, 1))).order_by("pk").first()
    assert ticket is not None
    url = reverse("desk:ticket", kwargs={"ticket_id": ticket.pk}) + "?from=all"
    return _median_ms(_agent_client(), url)
