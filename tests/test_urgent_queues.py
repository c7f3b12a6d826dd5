"""Urgent tickets in the desk's queues: first in every sort, keyset pages that cross the
urgent boundary forwards and back, and the Urgent filter."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.desk_helpers import logged_in
from tickets import queues, services
from tickets.models import Channel, Ticket

pytestmark = pytest.mark.django_db


def request_from(subject: str) -> Ticket:
    return services.ticket_create(
        requester_email="wanjiku@partner.example.org", subject=subject, channel=Channel.WEB
    )


def queue_order(client, query: str = "") -> list[int]:
    html = client.get(reverse("desk:queue", kwargs={"queue": "all"}) + query).content.decode()
    return [int(pk) for pk in re.findall(r'id="row-(\d+)"', html)]


# --- Queues: first in every sort, keyset pages across the boundary, the filter -------------


def walk(sort: str, size: int, agent, *, backwards_check: bool = True) -> list[int]:
    lists = queues.desk_lists(agent)
    now = timezone.now()
    parsed = queues.parse_queue_query("all", {"sort": sort}, lists)
    parsed.size = size
    pages: list[list[int]] = []
    page = queues.queue_page(parsed, agent, now)
    while True:
        pages.append([t.pk for t in page.rows])
        if not page.next_cursor:
            break
        parsed.after = queues.decode_cursor(page.next_cursor, queues.segments_for(sort, lists))
        assert parsed.after is not None
        page = queues.queue_page(parsed, agent, now)
    if backwards_check and len(pages) > 1:
        # Back from the last page to each page before it.
        for expected in reversed(pages[:-1]):
            parsed.after = None
            parsed.before = queues.decode_cursor(
                page.previous_cursor, queues.segments_for(sort, lists)
            )
            page = queues.queue_page(parsed, agent, now)
            assert [t.pk for t in page.rows] == expected, sort
    return [pk for p in pages for pk in p]


def test_urgent_tickets_lead_every_sort_and_pages_cross_the_boundary_forwards_and_back():
    agent = factories.l1_agent()
    now = timezone.now()
    critical, minor = factories.impact("critical"), factories.impact("minor")
    made = [
        factories.TicketFactory(impact=impact, first_response_due_at=due)
        for impact, due in (
            (minor, now + timedelta(hours=5)),
            (None, None),
            (critical, now + timedelta(hours=1)),
            (minor, None),
            (critical, now + timedelta(hours=3)),
            (None, now + timedelta(hours=2)),
            (minor, now + timedelta(hours=4)),
        )
    ]
    for n, ticket in enumerate(made):
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=now - timedelta(hours=10 - n), updated_at=now - timedelta(hours=n)
        )
    urgent = [made[0], made[3], made[5]]
    Ticket.objects.filter(pk__in=[t.pk for t in urgent]).update(is_urgent=True)
    tickets = list(Ticket.objects.filter(pk__in=[t.pk for t in made]))
    far = now + timedelta(days=3650)
    level = {critical.pk: critical.level, minor.pk: minor.level}
    expected_keys = {
        "due": lambda t: (t.first_response_due_at is None, t.first_response_due_at or far,
                          t.created_at if t.first_response_due_at is None else now, t.pk),
        "created": lambda t: (t.created_at, t.pk),
        "-created": lambda t: (-t.created_at.timestamp(), -t.pk),
        "-updated": lambda t: (-t.updated_at.timestamp(), -t.pk),
        "impact": lambda t: (t.impact_id is None, level.get(t.impact_id or 0, 0), t.created_at,
                             t.pk),
    }  # fmt: skip
    for sort, key in expected_keys.items():
        expected = [t.pk for t in sorted(tickets, key=lambda t: (not t.is_urgent, key(t)))]
        for size in (2, 3):
            assert walk(sort, size, agent) == expected, (sort, size)
    assert walk("due", 3, agent)[:3] == [made[5].pk, made[0].pk, made[3].pk]


def test_a_page_link_made_before_urgent_sorting_is_ignored_not_an_error():
    agent = factories.l1_agent()
    factories.TicketFactory.create_batch(3)
    old = signing.dumps([0, "2026-11-23T06:00:00+00:00", 1], salt="desk.queue.cursor")
    response = logged_in(agent).get(
        reverse("desk:queue", kwargs={"queue": "all"}) + f"?after={old}"
    )
    assert response.status_code == 200
    assert "page link" in response.content.decode()


def test_the_urgent_filter_finds_urgent_tickets_or_the_others():
    agent = factories.l1_agent()
    calm, burning = request_from(subject="Calm"), request_from(subject="Burning")
    services.ticket_set_urgent(ticket=burning, by=agent, urgent=True)
    client = logged_in(agent)

    assert queue_order(client, "?urgent=yes") == [burning.pk]
    assert queue_order(client, "?urgent=no") == [calm.pk]
    page = client.get(reverse("desk:queue", kwargs={"queue": "all"}) + "?urgent=yes")
    assert "Urgent: Urgent" in page.content.decode()
    assert '<select class="form-select form-select-sm" id="f-urgent" name="urgent">' in (
        page.content.decode()
    )


@pytest.mark.parametrize("sort", ["due", "impact", "-updated"])
def test_a_queue_page_with_urgent_tickets_costs_at_most_12_queries(
    sort, django_assert_max_num_queries
):
    agent = factories.l1_agent()
    tickets = factories.TicketFactory.create_batch(8, impact=factories.impact("critical"))
    Ticket.objects.filter(pk__in=[t.pk for t in tickets[::3]]).update(is_urgent=True)
    client = logged_in(agent)
    client.get(reverse("desk:queue", kwargs={"queue": "all"}))  # a warm session

    with django_assert_max_num_queries(12):
        order = queue_order(client, f"?sort={sort}&size=25")

    assert set(order[:3]) == {t.pk for t in tickets[::3]}
    assert len(order) == 8
