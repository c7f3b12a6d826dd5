"""Contact Us in one round trip: the request checked in the page and sent makes the ticket at once.

The form carries a one-time submission key and, once its review was shown in the
page (static/js/contact.js), ``reviewed=1``. Whatever the server's review step
protects is checked in the same request: the key (a form sent twice makes one
ticket), the completeness nudge, the minimum fill time, the rate limits, the files.
"""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal import services as portal_services
from tests.portal_helpers import contact_data, screenshot, send_contact_form
from tests.unchanged import nothing_changes
from tickets.models import OutboxMessage, Ticket

pytestmark = pytest.mark.django_db

RECEIVED = "Thank you, we have received your request"
# The final POST of a complete form, for a requester who wrote before: the key look-up,
# BEGIN, the requester, the ticket, its history row, message, SLA clock and clock event,
# the acknowledgement's outbox row, COMMIT. A first-time requester adds the savepoint
# around their own insert (3).
FINAL_POST_QUERIES = 10
FIRST_REQUESTER_EXTRA = 3


def checked_in_the_page(client, started, **overrides):
    """The form as the page sends it from its review: with its key, marked reviewed."""
    key = client.get("/contact/").context["submission_key"]
    return contact_data(**{"started": started, "submission_key": key, "reviewed": "1", **overrides})


def test_a_complete_request_sent_from_the_page_review_is_received_in_one_request(client, started):
    response = send_contact_form(client, checked_in_the_page(client, started), [screenshot()])

    assert response.status_code == 200
    page = response.content.decode()
    assert RECEIVED in page
    ticket = Ticket.objects.get()
    assert ticket.reference in page
    assert ticket.subject == "Data export of the household survey stops at 50%"
    assert ticket.messages.get().attachments.get().original_name == "screenshot.png"
    assert OutboxMessage.objects.get().key == f"email:ticket_created:{ticket.pk}"
    assert portal_services.draft_get(client.session) is None  # nothing held, nothing left


def test_the_same_form_sent_twice_from_the_page_makes_one_ticket(client, started):
    data = checked_in_the_page(client, started)
    first = send_contact_form(client, data, [screenshot()])
    second = send_contact_form(client, data, [screenshot()])

    ticket = Ticket.objects.get()
    assert ticket.reference in first.content.decode()
    assert ticket.reference in second.content.decode()
    assert ticket.messages.get().attachments.count() == 1
    assert OutboxMessage.objects.count() == 1


def test_a_form_sent_from_the_page_at_autofill_speed_still_asks_to_confirm(
    client, started, settings
):
    settings.PORTAL_MIN_FILL_SECONDS = 60
    response = send_contact_form(client, checked_in_the_page(client, started), [screenshot()])

    assert response["Location"] == "/contact/review/"
    assert not Ticket.objects.exists()
    review = client.get("/contact/review/")
    assert review.context["confirm"]
    assert [held.name for held in review.context["held_files"]] == ["screenshot.png"]


def test_an_incomplete_bug_report_sent_from_the_page_is_nudged_before_any_ticket(client, started):
    data = checked_in_the_page(client, started, expected="", steps="", what_doing="")
    response = send_contact_form(client, data)

    assert response.status_code == 200
    assert "A few details would help us fix this sooner" in response.content.decode()
    assert not Ticket.objects.exists()
    # "Continue without these details", checked in the page again: received at once.
    again = send_contact_form(client, {**data, "confirm_incomplete": "1"})
    assert RECEIVED in again.content.decode()
    assert Ticket.objects.count() == 1


def test_a_vague_question_sent_from_the_page_gets_the_review_step_with_its_hint(client, started):
    data = checked_in_the_page(
        client, started, category=_question(), description="Help", what_doing="", actual=""
    )
    assert send_contact_form(client, data)["Location"] == "/contact/review/"
    assert "Your description is short" in client.get("/contact/review/").content.decode()
    assert not Ticket.objects.exists()


def test_over_the_hourly_limit_a_request_sent_from_the_page_is_kept_for_later(
    client, started, settings
):
    settings.PORTAL_SUBMISSIONS_PER_EMAIL_PER_HOUR = 1
    send_contact_form(client, checked_in_the_page(client, started))
    second = checked_in_the_page(client, started, subject="Second request today")

    with nothing_changes():
        response = send_contact_form(client, second, [screenshot("kept.png")])

    assert response.status_code == 429
    page = response.content.decode()
    assert "please try again in an hour" in page
    assert "Second request today" in page
    draft = portal_services.draft_get(client.session)
    assert [held.name for held in draft.files] == ["kept.png"]
    assert draft.key == second["submission_key"]  # the review sends the same key later


def test_a_form_without_a_key_of_ours_goes_through_the_server_review(client, started):
    data = checked_in_the_page(client, started, submission_key="not-a-key")
    assert send_contact_form(client, data)["Location"] == "/contact/review/"
    assert not Ticket.objects.exists()


def test_without_javascript_the_form_still_goes_to_the_server_review(client, started):
    data = contact_data(started=started)  # no "reviewed": the page's review never ran
    assert send_contact_form(client, data)["Location"] == "/contact/review/"
    assert not Ticket.objects.exists()


def _question() -> int:
    from tests import factories

    return factories.category("question").pk


@pytest.mark.django_db(transaction=True)
def test_the_final_post_stays_within_its_query_budget_in_one_transaction(client, started):
    """Run as in production (no test transaction around it): BEGIN and COMMIT are counted."""
    send_contact_form(client, checked_in_the_page(client, started))  # the catalog is read once
    for email, budget in (
        ("first.time@partner.example.org", FINAL_POST_QUERIES + FIRST_REQUESTER_EXTRA),
        ("first.time@partner.example.org", FINAL_POST_QUERIES),
    ):
        data = checked_in_the_page(client, started, email=email)
        commits = mock.patch.object(connection, "commit", wraps=connection.commit)
        with CaptureQueriesContext(connection) as queries, commits as commit:
            response = send_contact_form(client, data)
        assert RECEIVED in response.content.decode()
        statements = [query["sql"] for query in queries.captured_queries]
        assert len(statements) <= budget, "\n".join(statements)
        assert commit.call_count == 1
        key_lookups = [sql for sql in statements if "submission_key" in sql and "SELECT" in sql]
        assert len(key_lookups) == 1
        # The due time is written with the row: no update of the ticket after its insert.
        assert not [sql for sql in statements if sql.startswith('UPDATE "tickets_ticket"')]
    assert Ticket.objects.filter(first_response_due_at__isnull=False).count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_resend_racing_the_first_returns_the_first_ticket_without_a_savepoint():
    """Two requests with one key at the same moment: the second insert fails, rolls back whole."""
    from tickets import services
    from tickets.models import Channel

    fields = {
        "requester_email": "a@partner.example.org",
        "subject": "Export fails",
        "channel": Channel.WEB,
        "submission_key": "k" * 32,
    }
    first = services.ticket_create(**fields)
    with CaptureQueriesContext(connection) as queries:
        second = services.ticket_create(**fields)
    assert second.pk == first.pk
    assert not [q for q in queries.captured_queries if "SAVEPOINT" in q["sql"]]
    assert Ticket.objects.count() == 1
    assert OutboxMessage.objects.count() == 1
