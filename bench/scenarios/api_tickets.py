"""The staff tickets API's list against the desk queue page it mirrors (issue 20: within 1.5 times).

Both read the same queue view with the same filters through the same code
(tickets.queues); the API answers JSON to an L1 agent's bearer token, the desk
renders HTML (with every queue's count) to the same agent's session. Each is the
median of twenty requests after a warm-up (bench.pages.median_ms). The token is
made for the run and deleted after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.urls import reverse

from api.models import ApiToken
from api.tokens import token_create
from bench.pages import median_ms, staff_client
from bench.scenarios import Context, scenario
from tickets import roles

FILTERS = "impact=significant&category=bug&sort=-created"


@contextmanager
def _token_client() -> Iterator[Client]:
    agent = User.objects.filter(groups__name=roles.L1_AGENT, is_active=True).first()
    manager = User.objects.filter(groups__name=roles.SUPPORT_MANAGER, is_active=True).first()
    if agent is None or manager is None:
        raise RuntimeError("No L1 agent or manager in the database: run seed_demo first.")
    made = token_create(name="bench", owner=agent, scopes=["tickets:read"], by=manager)
    try:
        # Twenty-one requests a run: above the default limit of a busy minute.
        with override_settings(API_RATE_LIMIT="1000000/minute"):
            yield Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {made.plaintext}")
    finally:
        ApiToken.objects.filter(pk=made.token.pk).delete()


@scenario("api_tickets_list", unit="ms")
def api_tickets_list(ctx: Context) -> float:
    """API: GET /api/v1/tickets, "All" by impact and category, newest first, 50 a page."""
    with _token_client() as client:
        return median_ms(client, f"/api/v1/tickets?queue=all&{FILTERS}&limit=50")


@scenario("api_tickets_list_desk_html", unit="ms")
def api_tickets_list_desk_html(ctx: Context) -> float:
    """Desk: the same view as api_tickets_list, as the HTML queue page (50 rows)."""
    url = reverse("desk:queue", kwargs={"queue": "all"}) + f"?{FILTERS}"
    return median_ms(staff_client(roles.L1_AGENT), url)
