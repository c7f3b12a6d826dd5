"""The requester side of the API: Flow files a ticket for a partner, who follows it by link.

A ticket filed through the API is checked by the Contact Us form and made by its
submit service: the same fields, the same acknowledgement email.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.models import ApiToken, IdempotencyKey
from api.tokens import token_revoke
from tests import factories
from tests.api_helpers import api_token, bearer
from tests.portal_helpers import screenshot, upload
from tickets.models import MessageKind, OutboxMessage, Ticket

pytestmark = pytest.mark.django_db

CREATE = "/api/v1/tickets"


@pytest.fixture
def flow():
    """Akvo Flow with the fields its reports ask for (dashboard, folder, survey, IMEI…)."""
    return factories.product("akvo-flow")


def bug_report(**changes) -> dict:
    report = {
        "name": "Amina Odhiambo",
        "email": "amina@partner.example.org",
        "organisation": "Kenya Water Trust",
        "category": "bug",
        "product": "akvo-flow",
        "subject": "Critical: data export stops at 50% for every survey",
        "what_doing": "Exporting the household survey",
        "expected": "A complete CSV file",
        "actual": "The progress bar stops at 50% and nothing downloads",
        "steps": "1. Open the survey\n2. Export as CSV",
        "product_fields": {"dashboard": "kenya-water", "survey": "Household 2026"},
        "environment": {
            "page_url": "https://kenya-water.akvoflow.org/admin/surveys/42",
            "app_version": "2.18.1",
            "instance": "kenya-water",
            "browser": "Firefox 133 on Windows",
        },
        "language": "en",
    }
    return report | changes


def create(client, token: str, body: dict, **headers):
    return client.post(
        CREATE,
        data=json.dumps(body),
        content_type="application/json",
        headers=bearer(token) | headers,
    )


def test_flow_files_a_critical_bug_with_its_product_fields_and_the_ack_email_is_queued(
    client, flow
):
    token = api_token(("tickets:create",))

    response = create(client, token, bug_report())

    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    body = response.json()
    assert body["reference"] == ticket.reference
    assert body["status"] == ticket.status == "new"
    assert body["requester_url"].endswith(f"/t/{ticket.token}/")
    assert response["Location"] == f"/api/v1/requests/{ticket.token}"
    assert ticket.requester.email == "amina@partner.example.org"
    assert ticket.product == flow
    assert ticket.category.slug == "bug"
    assert ticket.actual == "The progress bar stops at 50% and nothing downloads"
    assert ticket.product_details == {"dashboard": "kenya-water", "survey": "Household 2026"}
    assert ticket.environment["page_url"] == "https://kenya-water.akvoflow.org/admin/surveys/42"
    assert ticket.environment["app_version"] == "2.18.1"
    assert ticket.environment["computer_browser"] == "Firefox 133 on Windows"
    [ack] = OutboxMessage.objects.filter(kind="email")
    assert ack.payload["template"] == "ticket_created"


def test_a_product_field_the_product_lacks_or_a_broken_one_is_a_422_with_field_errors(client, flow):
    token = api_token(("tickets:create",))
    fields = {"dashboard": "kenya\nwater", "colour": "blue"}

    response = create(client, token, bug_report(product_fields=fields))

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    named = {error["field"] for error in response.json()["errors"]}
    assert named == {"product_fields.dashboard", "product_fields.colour"}
    assert not Ticket.objects.exists()


def test_a_bug_without_what_happened_and_an_unknown_product_are_refused_as_contact_us_does(
    client, flow
):
    token = api_token(("tickets:create",))

    response = create(client, token, bug_report(product="akvo-nothing", actual="", description=""))

    assert response.status_code == 422
    named = {error["field"] for error in response.json()["errors"]}
    assert {"product", "actual"} <= named
    assert not Ticket.objects.exists()


def test_a_feature_request_is_asked_as_contact_us_asks_it(client, flow):
    token = api_token(("tickets:create",))
    idea = bug_report(
        category="feature-request",
        subject="Export straight to Google Sheets",
        description="A button that sends the export to a sheet",
        problem="We copy CSV files by hand every week",
        who_needs="Our 12 field coordinators",
    )

    response = create(client, token, idea)

    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    assert "We copy CSV files by hand every week" in ticket.description
    assert "Our 12 field coordinators" in ticket.description
    # A bug's questions and the device are not asked of an idea: what was sent is dropped.
    assert ticket.actual == ""
    assert ticket.product_details == {}
    assert "computer_browser" not in ticket.environment
    assert ticket.environment["page_url"] == "https://kenya-water.akvoflow.org/admin/surveys/42"


def test_a_kb_read_token_may_not_file_tickets(client, flow):
    response = create(client, api_token(("kb:read",)), bug_report())
    assert response.status_code == 403
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("state", ["expired", "revoked"])
def test_an_expired_or_revoked_token_files_nothing(client, flow, state):
    token = api_token(("tickets:create",))
    if state == "expired":
        ApiToken.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    else:
        token_revoke(token=ApiToken.objects.get(), by=factories.support_manager())

    response = create(client, token, bug_report())

    assert response.status_code == 401
    assert not Ticket.objects.exists()


def test_a_retried_create_with_the_same_key_makes_one_ticket_and_another_body_is_a_409(
    client, flow
):
    token = api_token(("tickets:create",))

    first = create(client, token, bug_report(), **{"Idempotency-Key": "flow-42"})
    again = create(client, token, bug_report(), **{"Idempotency-Key": "flow-42"})
    other = create(client, token, bug_report(subject="Other"), **{"Idempotency-Key": "flow-42"})

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"]
    assert other.status_code == 409
    assert Ticket.objects.count() == 1


def test_a_kept_create_answer_holds_no_private_token_and_its_replay_is_still_whole(client, flow):
    token = api_token(("tickets:create",))
    first = create(client, token, bug_report(), **{"Idempotency-Key": "flow-43"})
    ticket = Ticket.objects.get()
    # A colleague moves the ticket on before Flow retries: the replay is the first answer.
    Ticket.objects.filter(pk=ticket.pk).update(status="open")

    again = create(client, token, bug_report(), **{"Idempotency-Key": "flow-43"})

    kept = IdempotencyKey.objects.get()
    assert ticket.token not in kept.body
    assert json.loads(kept.body) == {"reference": ticket.reference, "status": "new"}
    assert again.json() == first.json()
    assert again.json()["token"] == ticket.token
    assert again.json()["status"] == "new"
    assert again["Location"] == first["Location"]


def test_over_the_rate_limit_a_create_gets_429_with_retry_after(client, flow, settings):
    settings.API_RATE_LIMIT = "2/minute"
    token = api_token(("tickets:create",))

    answers = [
        create(client, token, bug_report(email=f"person{n}@partner.example.org")) for n in range(3)
    ]

    assert [a.status_code for a in answers] == [201, 201, 429]
    assert 1 <= int(answers[-1]["Retry-After"]) <= 60
    assert Ticket.objects.count() == 2


def test_one_requester_address_is_limited_as_on_contact_us(client, flow, settings):
    settings.PORTAL_SUBMISSIONS_PER_EMAIL_PER_HOUR = 1
    token = api_token(("tickets:create",))

    first = create(client, token, bug_report())
    second = create(client, token, bug_report(subject="Again"))

    assert (first.status_code, second.status_code) == (201, 429)
    assert 1 <= int(second["Retry-After"]) <= 3600
    assert Ticket.objects.count() == 1


def test_filing_a_ticket_takes_a_bounded_number_of_queries(client, flow):
    token = api_token(("tickets:create",))
    create(client, token, bug_report(email="warm@partner.example.org"))  # warms the caches

    with CaptureQueriesContext(connection) as queries:
        response = create(client, token, bug_report())

    assert response.status_code == 201
    assert len(queries) <= 25, len(queries)  # 16 today: the form, the ticket, the outbox


def create_with_files(client, token: str, body: dict, files: list, **headers):
    return client.post(
        CREATE + "/with-files",
        data={"ticket": json.dumps(body), "attachments": files},
        headers=bearer(token) | headers,
    )


def test_flow_attaches_a_screenshot_as_contact_us_would(client, flow):
    token = api_token(("tickets:create",))

    response = create_with_files(
        client, token, bug_report(), [screenshot()], **{"Idempotency-Key": "flow-7"}
    )

    again = create_with_files(
        client, token, bug_report(), [screenshot()], **{"Idempotency-Key": "flow-7"}
    )

    assert response.status_code == 201, response.content
    [attachment] = Ticket.objects.get().messages.get().attachments.all()
    assert (attachment.original_name, attachment.content_type) == ("screenshot.png", "image/png")
    # The retry (a new multipart boundary, the same ticket and file) files nothing more.
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == response.json()


def test_a_file_the_portal_refuses_is_refused_here_too_and_nothing_is_filed(client, flow):
    token = api_token(("tickets:create",))
    program = upload("setup.exe", b"MZ\x90\x00" + b"\x00" * 60)

    response = create_with_files(client, token, bug_report(), [program])

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "attachments"
    assert not Ticket.objects.exists()


def test_a_ticket_part_that_is_not_a_ticket_is_a_422_naming_the_field(client, flow):
    token = api_token(("tickets:create",))
    response = create_with_files(client, token, bug_report(subject=None), [])
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "ticket.subject"


# --- By the private token ---------------------------------------------------------------


def a_ticket_with_a_thread(subject: str = "Export fails"):
    ticket = factories.TicketFactory(subject=subject)
    factories.MessageFactory(ticket=ticket, kind=MessageKind.CUSTOMER, body="It stops at 50%.")
    agent = factories.l1_agent()
    factories.MessageFactory(
        ticket=ticket,
        kind=MessageKind.NOTE,
        body="Internal: their instance is on the old cluster",
        author_user=agent,
        author_requester=None,
    )
    factories.MessageFactory(
        ticket=ticket,
        kind=MessageKind.REPLY,
        body="Could you try again now?",
        author_user=agent,
        author_requester=None,
    )
    return ticket


def test_the_requester_reads_their_ticket_by_link_without_internal_notes(client):
    ticket = a_ticket_with_a_thread()

    response = client.get(f"/api/v1/requests/{ticket.token}")

    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == ticket.reference
    assert [m["body"] for m in body["messages"]] == [
        "It stops at 50%.",
        "Could you try again now?",
    ]
    assert "old cluster" not in response.content.decode()
    assert "assignee" not in body
    assert "version" not in body


def test_the_requester_replies_by_link_and_the_reply_joins_the_public_thread(client):
    ticket = a_ticket_with_a_thread()

    response = client.post(
        f"/api/v1/requests/{ticket.token}/replies",
        data=json.dumps({"body": "Yes, it works now. Thank you!"}),
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["messages"][-1]["body"] == "Yes, it works now. Thank you!"
    latest = ticket.messages.order_by("-created_at", "-id").first()
    assert (latest.kind, latest.author_requester) == (MessageKind.CUSTOMER, ticket.requester)


def test_an_empty_reply_is_a_422_and_adds_nothing(client):
    ticket = a_ticket_with_a_thread()
    before = ticket.messages.count()

    response = client.post(
        f"/api/v1/requests/{ticket.token}/replies",
        data=json.dumps({"body": ""}),
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"
    assert ticket.messages.count() == before


def test_a_link_for_ticket_a_never_reaches_ticket_b_and_a_wrong_one_looks_missing(client):
    a = a_ticket_with_a_thread("Ticket A")
    b = a_ticket_with_a_thread("Ticket B")
    near_miss = b.token[:16] + ("x" if b.token[16] != "x" else "y") + b.token[17:]

    mine = client.get(f"/api/v1/requests/{a.token}")
    wrong = client.get(f"/api/v1/requests/{near_miss}")
    missing = client.get("/api/v1/requests/" + "A" * 32)
    by_number = client.get(f"/api/v1/requests/{b.pk}")
    reply = client.post(
        f"/api/v1/requests/{near_miss}/replies",
        data=json.dumps({"body": "Hello"}),
        content_type="application/json",
    )

    assert mine.json()["subject"] == "Ticket A"
    assert "Ticket B" not in mine.content.decode()
    assert wrong.status_code == missing.status_code == by_number.status_code == 404
    assert reply.status_code == 404
    assert wrong.json() | {"instance": ""} == missing.json() | {"instance": ""}
    assert b.messages.count() == 3


def test_links_are_tried_a_limited_number_of_times_per_address(client, settings):
    settings.API_RATE_LIMIT = "2/minute"
    ticket = a_ticket_with_a_thread()

    answers = [client.get(f"/api/v1/requests/{ticket.token}") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert 1 <= int(answers[-1]["Retry-After"]) <= 60


def test_reading_a_ticket_by_link_takes_the_same_queries_however_long_the_thread(client):
    ticket = a_ticket_with_a_thread()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/api/v1/requests/{ticket.token}").status_code == 200
        return len(captured)

    short = queries()
    for n in range(5):
        factories.MessageFactory(ticket=ticket, kind=MessageKind.CUSTOMER, body=f"More {n}")
    assert queries() == short
