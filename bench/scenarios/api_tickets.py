"""The tickets API against the HTML pages it mirrors (issue 20: within 1.5 times).

List: both read the same queue view with the same filters through the same code
(tickets.queues); the API answers JSON to an L1 agent's bearer token, the desk
renders HTML (with every queue's count) to the same agent's session. Each is the
median of twenty requests after a warm-up (bench.pages.median_ms).

Create: ``POST /api/v1/tickets`` files the same bug report as the Contact Us
scenarios (bench.scenarios.portal), with the same limits off and the same fresh
cache, and is compared with them in tickets per second. It runs the Contact Us
form and submit service, plus the token check, the per-token rate count and the
Idempotency-Key record.

Tokens are made for the run and deleted after it.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.urls import reverse

from api.models import ApiToken, IdempotencyKey
from api.tokens import token_create
from bench.pages import median_ms, staff_client
from bench.scenarios import Context, scenario
from bench.scenarios.portal import SUBMISSIONS, submissions_without_limits, timed_submissions
from tickets import roles

FILTERS = "impact=significant&category=bug&sort=-created"


@contextmanager
def _token_client(scope: str = "tickets:read") -> Iterator[Client]:
    agent = User.objects.filter(groups__name=roles.L1_AGENT, is_active=True).first()
    manager = User.objects.filter(groups__name=roles.SUPPORT_MANAGER, is_active=True).first()
    if agent is None or manager is None:
        raise RuntimeError("No L1 agent or manager in the database: run seed_demo first.")
    made = token_create(name="bench", owner=agent, scopes=[scope], by=manager)
    try:
        # More requests a run than the default limit allows in a minute.
        with override_settings(API_RATE_LIMIT="1000000/minute"):
            yield Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {made.plaintext}")
    finally:
        IdempotencyKey.objects.filter(caller=f"token:{made.token.pk}").delete()
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


def _report(ctx: Context, n: int) -> dict[str, object]:
    """bench.scenarios.portal's bug report, as the API takes it (slugs, named fields)."""
    return {
        "name": f"Bench Requester {n}",
        "email": f"bench{ctx.rng.randrange(50)}@partner.example.org",
        "organisation": "Bench Partner",
        "hub": "east-africa",
        "product": "akvo-flow",
        "category": "bug",
        "subject": f"Export stops at 50% for survey {n}",
        "what_doing": "Exporting the raw data of the household survey from the dashboard.",
        "expected": "A spreadsheet with all submissions to download.",
        "actual": "The progress bar stops at 50% and after ten minutes nothing happened.",
        "steps": "1. Data > Export\n2. Household survey\n3. Export",
        "product_fields": {"dashboard": "akvoflow-bench", "imei": "356938035643809"},
        "environment": {"browser": "Firefox 140 on Windows 11"},
    }


@scenario("api_tickets_create", unit="tickets/s")
def api_tickets_create(ctx: Context) -> float:
    """API: POST /api/v1/tickets with a token and an Idempotency-Key, the Contact Us bug report."""
    bodies = [json.dumps(_report(ctx, n)) for n in range(SUBMISSIONS)]
    run = secrets.token_hex(4)

    def create(n: int) -> None:
        response = client.post(
            "/api/v1/tickets",
            bodies[n],
            content_type="application/json",
            secure=True,
            HTTP_IDEMPOTENCY_KEY=f"bench-{run}-{n}",
        )
        assert response.status_code == 201, response.content

    with _token_client("tickets:create") as client, submissions_without_limits():
        return timed_submissions(create)
