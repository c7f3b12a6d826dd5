"""Queue counts are kept a few seconds in the shared cache, right after expiry, and never
turn a desk page into an error when the cache is down."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.desk_helpers import logged_in, ticket_from
from tickets import services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _counts_kept_five_seconds(settings):
    settings.DESK_COUNTS_CACHE_SECONDS = 5


def sidebar(client, queue: str = "new", query: str = "") -> dict[str, str]:
    url = reverse("desk:queue", kwargs={"queue": queue}) + (f"?{query}" if query else "")
    response = client.get(url)
    assert response.status_code == 200
    counts = {q.slug: count for q, count in response.context["queues"]}
    counts["__view__"] = response.context["view_count"]
    return counts


def count_statements(client, queue: str = "new") -> int:
    with CaptureQueriesContext(connection) as queries:
        sidebar(client, queue)
    return sum("SELECT (SELECT COUNT(*)" in q["sql"] for q in queries.captured_queries)


def test_a_new_request_shows_in_the_counts_once_the_few_seconds_are_over():
    client = logged_in(factories.l1_agent())
    with time_machine.travel(timezone.now(), tick=False) as clock:
        ticket_from(subject="First")
        assert sidebar(client)["new"] == "1"
        ticket_from(subject="Second")
        assert sidebar(client)["new"] == "1"  # kept: the page did not count again
        clock.shift(timedelta(seconds=6))
        assert sidebar(client)["new"] == "2"
        assert sidebar(client)["__view__"] == "2"


def test_the_desk_pages_of_several_agents_count_the_shared_queues_once():
    first, second = logged_in(factories.l1_agent()), logged_in(factories.l1_agent())
    ticket_from()
    assert count_statements(first) == 1
    assert count_statements(first) == 0
    assert count_statements(second) == 1  # only "Mine", which is each agent's own


def test_mine_is_counted_for_each_agent():
    amina, joost = factories.l1_agent(), factories.l1_agent()
    ticket = ticket_from()
    services.ticket_assign(ticket=ticket, assignee=amina, by=amina)
    assert sidebar(logged_in(amina))["mine"] == "1"
    assert sidebar(logged_in(joost))["mine"] == "0"


def test_a_filtered_view_counts_its_own_tickets_not_its_queues():
    client = logged_in(factories.l1_agent())
    critical = factories.impact("critical")
    ticket_from(impact=critical)
    ticket_from(impact=factories.impact("minor"))
    assert sidebar(client, "all")["__view__"] == "2"
    assert sidebar(client, "all", "impact=critical")["__view__"] == "1"
    assert sidebar(client, "all")["__view__"] == "2"


def test_a_cache_outage_still_renders_the_desk_with_live_counts(settings, caplog):
    client = logged_in(factories.l1_agent())
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    ticket_from()
    assert sidebar(client)["new"] == "1"
    ticket_from()
    assert sidebar(client)["new"] == "2"
    assert "Queue counts not read from the cache" in caplog.text
