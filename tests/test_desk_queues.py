"""The desk's queues: what each holds, filters and search from an allow-list, keyset pages,
bounded counts, saved views, SLA badges, and a query count that does not grow."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.desk_helpers import logged_in, ticket_from
from tickets import queues, services
from tickets.models import (
    Channel,
    EscalationStatus,
    Requester,
    SavedView,
    SlaClock,
    Status,
    Ticket,
)

pytestmark = pytest.mark.django_db


def queue_url(queue: str, query: str = "") -> str:
    url = reverse("desk:queue", kwargs={"queue": queue})
    return f"{url}?{query}" if query else url


def listed(response) -> list[int]:
    return [row.ticket.pk for row in response.context["rows"]]


def test_each_queue_holds_what_its_name_says():
    agent, other = factories.l1_agent(), factories.l1_agent()
    new = ticket_from(subject="New one")
    mine = ticket_from(subject="Mine")
    services.ticket_assign(ticket=mine, assignee=agent, by=agent)
    theirs = ticket_from(subject="Someone else's")
    services.ticket_assign(ticket=theirs, assignee=other, by=other)
    waiting = ticket_from(subject="Waiting")
    services.ticket_change_status(ticket=waiting, status=Status.WAITING, by=agent)
    escalated = ticket_from(subject="With L2")
    services.ticket_mark_escalated(ticket=escalated, by=agent)
    resolved = ticket_from(subject="Resolved")
    services.ticket_change_status(ticket=resolved, status=Status.RESOLVED, by=agent)
    client = logged_in(agent)

    def queue(slug):
        return set(listed(client.get(queue_url(slug))))

    assert queue("new") == {new.pk, mine.pk, theirs.pk}
    assert queue("mine") == {mine.pk}
    assert queue("unassigned") == {new.pk, waiting.pk, escalated.pk}
    assert queue("waiting") == {waiting.pk}
    assert queue("escalated") == {escalated.pk}
    assert queue("resolved") == {resolved.pk}
    assert queue("all") == {new.pk, mine.pk, theirs.pk, waiting.pk, escalated.pk, resolved.pk}


def test_counts_per_queue_are_shown_and_bounded():
    agent = factories.l1_agent()
    factories.TicketFactory.create_batch(3)
    client = logged_in(agent)
    response = client.get(queue_url("new"))
    counts = dict((q.slug, count) for q, count in response.context["queues"])
    assert counts["new"] == "3"
    assert counts["resolved"] == "0"

    bounded = queues.bounded_counts([("all", Ticket.objects.all())], bound=2)
    assert bounded == {"all": 3}  # counted to the bound + 1 ...
    assert queues.QueueCounts(by_queue=bounded, view=3, bound=2).label(3) == "2+"  # ... shown as 2+


def test_filters_combine_and_are_reflected_in_the_url():
    agent = factories.l1_agent()
    west = factories.PartnerFactory(hub=factories.hub("west-africa"))
    match = ticket_from(partner=west, impact=factories.impact("critical"), channel=Channel.EMAIL)
    services.ticket_set_issue_tags(
        ticket=match,
        tags=[factories.issue_tag("data-export"), factories.issue_tag("user-management")],
        by=agent,
    )
    ticket_from(partner=west, impact=factories.impact("minor"))  # wrong impact
    ticket_from(impact=factories.impact("critical"))  # other hub
    client = logged_in(agent)

    query = "hub=west-africa&impact=critical&tag=data-export&tag=user-management&channel=email"
    response = client.get(queue_url("all", query))

    # Two matching tags, still one row (EXISTS, not a join).
    assert listed(response) == [match.pk]
    assert response.context["query"].querystring() == query
    assert not response.context["query"].ignored
    assert response.context["counts"].view == 1


def test_unknown_filter_keys_values_and_sorts_are_ignored_and_listed_never_an_error():
    agent = factories.l1_agent()
    ticket = ticket_from()
    client = logged_in(agent)

    response = client.get(
        queue_url(
            "all",
            "impact=apocalyptic&hub=atlantis&partner=999999&partner=abc&assignee=-1&status=lost"
            "&created_from=yesterday&sort=;drop table&evil=1&after=forged-cursor",
        )
    )

    assert response.status_code == 200
    assert listed(response) == [ticket.pk]  # nothing filtered on what was not understood
    ignored = response.context["query"].ignored
    assert "impact=apocalyptic" in ignored
    assert "evil" in ignored
    assert "sort=;drop table" in ignored
    assert "page link" in ignored
    assert b"Ignored (not a filter this desk knows)" in response.content


def test_an_unknown_queue_is_a_404():
    client = logged_in(factories.l1_agent())
    assert client.get("/desk/queues/everything-ever/").status_code == 404


def test_free_text_finds_references_subjects_and_requesters():
    agent = factories.l1_agent()
    by_subject = ticket_from(subject="Dashboard login loops forever")
    by_email = ticket_from("grace.otieno@example.org", name="Grace Otieno", subject="Help")
    other = ticket_from("someone@example.org", name="Some One", subject="Unrelated")
    client = logged_in(agent)

    def search(text):
        return listed(client.get(queue_url("all", f"q={text}")))

    assert search("login loops") == [by_subject.pk]
    assert search("OTIENO") == [by_email.pk]
    assert search("grace.otieno@") == [by_email.pk]
    assert search(f"HD-{other.pk}") == [other.pk]
    assert search(f"%23{other.pk}") == [other.pk]  # "#123"
    assert search("nothing matches this") == []


def test_keyset_pages_walk_every_ticket_once_in_order_forwards_and_back():
    agent = factories.l1_agent()
    now = timezone.now()
    tickets = factories.TicketFactory.create_batch(7)
    for n, ticket in enumerate(tickets):
        # Two share a creation time: the id breaks the tie.
        Ticket.objects.filter(pk=ticket.pk).update(created_at=now - timedelta(hours=n // 2 * 2))
    client = logged_in(agent)

    seen, pages, query = [], [], "size=25&sort=created"
    lists = queues.desk_lists(agent)
    parsed = queues.parse_queue_query("all", {"sort": "created"}, lists)
    parsed.size = 3
    page = queues.queue_page(parsed, agent, now)
    while True:
        pages.append([t.pk for t in page.rows])
        seen += pages[-1]
        if not page.next_cursor:
            break
        parsed.after = queues.decode_cursor(
            page.next_cursor, queues.segments_for(parsed.sort, lists)
        )
        page = queues.queue_page(parsed, agent, now)
    expected = list(Ticket.objects.order_by("created_at", "id").values_list("pk", flat=True))
    assert seen == expected
    assert [len(p) for p in pages] == [3, 3, 1]

    # Back from the last page to the one before it.
    parsed.after = None
    parsed.before = queues.decode_cursor(
        page.previous_cursor, queues.segments_for(parsed.sort, lists)
    )
    assert [t.pk for t in queues.queue_page(parsed, agent, now).rows] == pages[1]
    assert client.get(queue_url("all", query)).status_code == 200


def test_the_due_and_impact_sorts_page_across_their_segments():
    agent = factories.l1_agent()
    lists = queues.desk_lists(agent)
    now = timezone.now()
    critical, minor = factories.impact("critical"), factories.impact("minor")
    made = [
        factories.TicketFactory(impact=minor),
        factories.TicketFactory(impact=None),
        factories.TicketFactory(impact=critical),
        factories.TicketFactory(impact=minor),
        factories.TicketFactory(impact=critical, first_response_due_at=now),
    ]
    for sort, expected_order in (
        ("impact", [made[2], made[4], made[0], made[3], made[1]]),
        ("due", [made[4], made[0], made[1], made[2], made[3]]),
    ):
        parsed = queues.parse_queue_query("all", {"sort": sort}, lists)
        parsed.size = 2
        walked = []
        while True:
            page = queues.queue_page(parsed, agent, now)
            walked += page.rows
            if not page.next_cursor:
                break
            parsed.after = queues.decode_cursor(page.next_cursor, queues.segments_for(sort, lists))
        assert [t.pk for t in walked] == [t.pk for t in expected_order], sort


def test_sla_at_risk_lists_warned_and_overdue_unanswered_tickets_soonest_due_first():
    agent = factories.l1_agent()
    now = timezone.now()
    overdue = ticket_from(subject="Overdue")
    warned = ticket_from(subject="In the warning window")
    calm = ticket_from(subject="Plenty of time")
    answered = ticket_from(subject="Answered")
    services.ticket_add_message(ticket=answered, kind="reply", body="On it.", by=agent)
    for ticket, due in (
        (overdue, now - timedelta(hours=1)),
        (warned, now + timedelta(hours=1)),
        (calm, now + timedelta(days=3)),
        (answered, now - timedelta(hours=2)),
    ):
        SlaClock.objects.filter(ticket=ticket, target="first_response").update(
            due_at=due, warn_at=due - timedelta(hours=2)
        )
        Ticket.objects.filter(pk=ticket.pk).update(first_response_due_at=due)
    Ticket.objects.filter(pk=overdue.pk).update(first_response_breached_at=now)
    client = logged_in(agent)

    response = client.get(queue_url("sla_risk"))

    assert listed(response) == [overdue.pk, warned.pk]
    states = {row.ticket.pk: row.sla.state for row in response.context["rows"]}
    assert states == {overdue.pk: "breached", warned.pk: "at_risk"}
    html = response.content.decode()
    assert "Breached" in html
    assert "At risk" in html
    assert "overdue by" in html
    assert "due in" in html
    all_rows = client.get(queue_url("all")).context["rows"]
    assert {row.ticket.pk: row.sla.state for row in all_rows}[calm.pk] == "running"
    assert {row.ticket.pk: row.sla.state for row in all_rows}[answered.pk] == "met"


def test_an_agent_saves_a_view_and_finds_it_in_the_sidebar():
    agent = factories.l1_agent()
    client = logged_in(agent)
    response = client.post(
        reverse("desk:save_view"),
        {"name": "Critical in West Africa", "queue": "all",
         "query": "impact=critical&hub=west-africa&bogus=1&after=xyz"},
    )  # fmt: skip
    view = SavedView.objects.get(owner=agent)
    assert view.query == "hub=west-africa&impact=critical"  # only what the allow-list knows
    assert response.status_code == 302
    assert response["Location"] == queue_url("all", view.query)
    page = client.get(queue_url("all", view.query))
    assert "Critical in West Africa" in page.content.decode()
    assert page.context["active_view"] == view.pk
    # Another agent does not see it.
    assert (
        "Critical in West Africa"
        not in logged_in(factories.l1_agent()).get(queue_url("all")).content.decode()
    )


@pytest.mark.parametrize("size", [5, 60])
def test_a_queue_page_costs_at_most_12_queries_whatever_its_size(
    size, django_assert_max_num_queries
):
    agent = factories.l1_agent()
    critical = factories.impact("critical")
    tags = [factories.issue_tag("data-export"), factories.issue_tag("user-management")]
    mine = factories.TicketFactory.create_batch(size, impact=critical, assignee=agent)
    for ticket in mine:
        ticket.issue_tags.set(tags)
    from_amina = mine[::2]  # every other one is from Amina, whom the filtered query searches
    for ticket in from_amina:
        Requester.objects.filter(pk=ticket.requester_id).update(name="Amina Odhiambo")
    others = factories.TicketFactory.create_batch(3, escalation_status=EscalationStatus.ESCALATED)
    client = logged_in(agent)
    client.get(queue_url("all"))  # the session is warm, as for an agent at work

    everyone = {t.pk for t in mine + others}
    for query, expected in (
        ("", min(len(everyone), 50)),  # the first page of 50
        ("sort=impact&size=100", len(everyone)),
        (
            "sort=due&q=amina&hub=east-africa&impact=critical&tag=data-export&assignee=me",
            len(from_amina),
        ),
    ):
        with django_assert_max_num_queries(12):
            response = client.get(queue_url("all", query))
        assert response.status_code == 200
        shown = {int(pk) for pk in re.findall(r'id="row-(\d+)"', response.content.decode())}
        assert len(shown) == expected, query
        assert shown <= (everyone if "amina" not in query else {t.pk for t in from_amina})
