"""While the database is away, people get a friendly 503 page, never a traceback.

In-process: the database connection is made to fail as a stopped PostgreSQL
does (OperationalError on every query). tests/test_web_outage_postgres.py does
it for real, with a PostgreSQL cluster of the test's own and a server process.
"""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client

from tests.github_factories import WEBHOOK_SECRET, fixture_bytes, post_webhook

pytestmark = pytest.mark.django_db

FRIENDLY = "We will be right back"


@pytest.fixture
def database_away() -> Iterator[None]:
    """Every query of the request fails as it does when PostgreSQL is stopped."""
    refused = OperationalError('connection to server at "127.0.0.1", port 5432 failed')
    with mock.patch.object(connection, "cursor", side_effect=refused):
        yield


@pytest.fixture
def browser() -> Client:
    return Client(raise_request_exception=False)


def test_a_person_opening_the_portal_gets_the_friendly_page_with_a_retry_hint(
    browser, database_away
):
    response = browser.get("/", HTTP_ACCEPT="text/html")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert FRIENDLY in page
    assert "Traceback" not in page
    assert "OperationalError" not in page


def test_sending_the_contact_form_while_the_database_is_away_says_to_send_it_again(
    browser, database_away
):
    response = browser.post("/contact/", {"subject": "Sync stopped"})

    assert response.status_code == 503
    assert "send it again" in response.content.decode()


def test_github_is_told_in_json_to_redeliver_its_webhook_later(browser, database_away, settings):
    settings.GITHUB_WEBHOOK_SECRET = WEBHOOK_SECRET
    body = fixture_bytes("issue_comment.created.json")
    response = post_webhook(browser, "issue_comment", body)  # signed: it reaches the database

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "retry_after": 30}
    assert response["Retry-After"] == "30"


def test_a_client_asking_for_json_gets_json(browser, database_away):
    response = browser.get("/kb/", HTTP_ACCEPT="application/json")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_other_server_errors_keep_the_ordinary_500_page(browser):
    with mock.patch("helpdesk.views.redirect", side_effect=RuntimeError("a bug")):
        response = browser.get("/signed-in/")

    assert response.status_code == 500
    assert FRIENDLY not in response.content.decode()
