"""The staff side of the tickets API, read: an integration lists the desk's queues and reads a
ticket with its thread, as an agent would on the desk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.api_helpers import api_token, bearer
from tests.desk_helpers import logged_in, ticket_from
from tickets import roles, services
from tickets.models import MessageKind, StaffProfile, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    return bearer(api_token(("tickets:read",)))


def flow_bug(subject: str, *, impact: str = "critical", days_ago: int = 0, **fields):
    created = timezone.now() - timedelta(days=days_ago)
    return factories.TicketFactory(
        subject=subject,
        impact=factories.impact(impact),
        created_at=created,
        **fields,
    )


def test_an_l1_agents_token_lists_the_open_critical_bugs_of_flow_newest_first_page_by_page(
    client, reader
):
    for n in range(5):
        flow_bug(f"Critical export failure {n}", days_ago=n)
    flow_bug("Only minor", impact="minor")
    flow_bug("Critical but in RSR", product=factories.product("akvo-rsr"))
    flow_bug("Critical but closed", status=Status.CLOSED)

    url = (
        "/api/v1/tickets?product=akvo-flow&category=bug&impact=critical"
        "&status=new&status=open&sort=-created&limit=2"
    )
    subjects, pages = [], 0
    while url:
        response = client.get(url, headers=reader)
        assert response.status_code == 200
        page = response.json()
        subjects += [item["subject"] for item in page["items"]]
        url, pages = page["next"], pages + 1

    assert subjects == [f"Critical export failure {n}" for n in range(5)]
    assert pages == 3


def test_the_list_rows_carry_the_desks_names_and_the_version_to_write_with(client, reader):
    ticket = flow_bug("Export stops at 50%", impact="significant")
    ticket.issue_tags.set([factories.issue_tag("data-export")])

    item = client.get("/api/v1/tickets", headers=reader).json()["items"][0]

    assert item["reference"] == ticket.reference
    assert (item["product"], item["category"], item["impact"]) == (
        "akvo-flow",
        "bug",
        "significant",
    )
    assert item["tags"] == ["data-export"]
    assert item["hub"] == ticket.hub.slug
    assert item["version"] == ticket.version
    assert item["requester_email"] == ticket.requester.email


def test_the_desks_search_finds_words_of_internal_notes_and_queues_narrow_the_list(client, reader):
    agent = factories.l1_agent()
    noted = ticket_from(subject="Sync never finishes")
    services.ticket_reply(
        ticket=noted, by=agent, kind=MessageKind.NOTE, body="Suspect the gzip middleware"
    )
    mine = ticket_from(subject="Mine to do")
    bot = User.objects.get(username="flow-bot")  # the token's owner
    services.ticket_assign(ticket=mine, assignee=bot, by=agent)

    found = client.get("/api/v1/tickets?q=gzip", headers=reader).json()["items"]
    own = client.get("/api/v1/tickets?queue=mine", headers=reader).json()["items"]
    me = client.get("/api/v1/tickets?assignee=me", headers=reader).json()["items"]

    assert [item["reference"] for item in found] == [noted.reference]
    assert [item["reference"] for item in own] == [mine.reference]
    assert [item["reference"] for item in me] == [mine.reference]


def test_a_filter_value_the_desk_does_not_know_is_a_422_naming_it(client, reader):
    response = client.get("/api/v1/tickets?impact=apocalyptic&hub=europe", headers=reader)

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"field": "impact", "message": "Unknown value: impact=apocalyptic."}
    ]


def test_a_forged_cursor_is_a_400(client, reader):
    response = client.get("/api/v1/tickets?cursor=not-a-cursor", headers=reader)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("size", [10, 50])
def test_a_page_costs_the_same_number_of_queries_whatever_its_size(
    client, reader, size, django_assert_max_num_queries
):
    for n in range(size):
        flow_bug(f"Ticket {n}").issue_tags.set([factories.issue_tag("data-export")])
    client.get("/api/v1/tickets?limit=1", headers=reader)  # the desk's lists, read once

    # token, its last use, one or two for the page (urgent tickets first, then the others)
    with django_assert_max_num_queries(4):
        response = client.get(f"/api/v1/tickets?limit={size}", headers=reader)
    assert len(response.json()["items"]) == size


@pytest.mark.parametrize(
    "filters",
    ["impact=critical&product=akvo-flow", "status=open&sort=impact", "q=export&sort=-created"],
)
def test_the_api_lists_with_the_very_statements_of_the_desks_queue(client, filters):
    """Same SQL, so the same plans and indexes: the desk's are the ones tuned at scale."""
    agent = factories.l1_agent(username="amina")
    token = bearer(api_token(("tickets:read",), owner=agent))
    for n in range(3):
        flow_bug(f"Export failure {n}", days_ago=n, status=Status.OPEN)
    desk = logged_in(agent)
    desk.get(f"/desk/queues/all/?{filters}")  # the lists, read once for both
    with CaptureQueriesContext(connection) as on_desk:
        assert desk.get(f"/desk/queues/all/?{filters}").status_code == 200
    with CaptureQueriesContext(connection) as on_api:
        assert client.get(f"/api/v1/tickets?{filters}&limit=50", headers=token).status_code == 200

    def pages(captured) -> list[str]:
        return [q["sql"] for q in captured if "ORDER BY" in q["sql"] and "LIMIT 51" in q["sql"]]

    assert pages(on_api)
    assert pages(on_api) == pages(on_desk)


def test_a_ticket_reads_with_its_thread_notes_included_and_its_version_as_etag(client, reader):
    agent = factories.l1_agent()
    ticket = ticket_from(subject="Export stops at 50%")
    services.ticket_reply(ticket=ticket, by=agent, kind=MessageKind.NOTE, body="Looks like #412")
    ticket.refresh_from_db()

    response = client.get(f"/api/v1/tickets/{ticket.reference}", headers=reader)

    body = response.json()
    assert response.status_code == 200
    assert response["ETag"] == f'"{ticket.version}"'
    assert body["version"] == ticket.version
    assert [(m["kind"], m["body"]) for m in body["messages"]][-1] == ("note", "Looks like #412")
    assert body["what_doing"] == "Exporting the household survey"
    assert any(e["kind"] == "created" for e in body["events"])
    assert client.get(f"/api/v1/tickets/{ticket.pk}", headers=reader).status_code == 200


def test_reading_a_ticket_costs_the_same_with_a_long_thread(
    client, reader, django_assert_num_queries
):
    short, long = ticket_from(subject="Short"), ticket_from(subject="Long")
    for n in range(20):
        factories.MessageFactory(ticket=long, body=f"Message {n}")

    client.get(f"/api/v1/tickets/{short.reference}", headers=reader)
    with CaptureQueriesContext(connection) as short_read:
        client.get(f"/api/v1/tickets/{short.reference}", headers=reader)
    with django_assert_num_queries(len(short_read)):
        response = client.get(f"/api/v1/tickets/{long.reference}", headers=reader)
    assert len(response.json()["messages"]) == 21


def test_a_missing_ticket_is_a_404_problem(client, reader):
    response = client.get("/api/v1/tickets/HD-999999", headers=reader)

    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_a_reporting_only_owner_reads_no_tickets_even_with_the_scope(client):
    owner = factories.l1_agent(username="reports-bot")
    token = api_token(("tickets:read",), owner=owner)
    owner.groups.clear()
    owner.user_permissions.add(*roles_permission(roles.VIEW_REPORTS))
    ticket_from()

    response = client.get("/api/v1/tickets", headers=bearer(token))

    assert response.status_code == 403
    assert Group.objects.filter(user=owner).count() == 0


def roles_permission(code: str):
    from django.contrib.auth.models import Permission

    app_label, codename = code.split(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename)


def test_a_signed_in_l2_engineer_reads_the_escalated_queue_with_the_session(client):
    escalated = flow_bug("With L2", status=Status.ESCALATED)
    flow_bug("Still new")
    client.force_login(factories.l2_engineer())

    response = client.get("/api/v1/tickets?queue=escalated")

    assert response.status_code == 200
    assert [item["reference"] for item in response.json()["items"]] == [escalated.reference]


@pytest.fixture
def late_evening_ticket(settings):
    """Filed at 22:30 UTC on 1 March: already 2 March (01:30) in Nairobi."""
    settings.TIME_ZONE = settings.DESK_DEFAULT_TIME_ZONE = "UTC"
    return factories.TicketFactory(
        subject="Export fails after midnight", created_at=datetime(2026, 3, 1, 22, 30, tzinfo=UTC)
    )


@pytest.fixture
def amina():
    agent = factories.l1_agent(username="amina")
    StaffProfile.objects.create(user=agent, time_zone="Africa/Nairobi")
    return agent


def listed(client, query: str, **headers) -> list[str]:
    response = client.get(f"/api/v1/tickets?{query}", headers=headers)
    assert response.status_code == 200, response.content
    return [item["subject"] for item in response.json()["items"]]


def test_created_days_are_read_in_the_callers_zone_for_a_token_and_a_session_alike(
    client, late_evening_ticket, amina
):
    token = bearer(api_token(("tickets:read",), owner=amina))

    by_token = listed(client, "created_from=2026-03-02", **token)
    client.force_login(amina)
    by_session = listed(client, "created_from=2026-03-02")
    on_the_desk = client.get(reverse("desk:queue", args=["all"]) + "?created_from=2026-03-02")

    assert by_token == by_session == ["Export fails after midnight"]
    assert "Export fails after midnight" in on_the_desk.content.decode()
    assert listed(client, "created_to=2026-03-01") == []


def test_tz_names_the_zone_the_days_are_read_in(client, late_evening_ticket, amina):
    token = bearer(api_token(("tickets:read",), owner=amina))

    assert listed(client, "created_from=2026-03-02&tz=UTC", **token) == []
    assert listed(client, "created_to=2026-03-01&tz=UTC", **token) == [
        "Export fails after midnight"
    ]
    unknown = client.get("/api/v1/tickets?created_from=2026-03-02&tz=Mars/Olympus", headers=token)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "tz"
