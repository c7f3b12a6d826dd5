"""Error pages in the site's own layout: a partner who follows a broken link, is refused,
or meets a bug is never left on a bare "Not Found" with no way on.

The 500 page is rendered as Django renders its own (no request, no context
processor), so it still renders with the database away.
"""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client

from tests import factories
from tests.nav_helpers import CONTACT_US, hrefs_named, navigation

pytestmark = pytest.mark.django_db

FAVICON = 'rel="icon" href="/static/favicon.svg"'


def in_site_layout(page: str) -> bool:
    return FAVICON in page and hrefs_named(navigation(page), CONTACT_US) == ["/contact/"]


@pytest.fixture
def browser() -> Client:
    """A client that gets the error page instead of the exception, as a browser does."""
    return Client(raise_request_exception=False)


@pytest.fixture
def database_away() -> Iterator[None]:
    """Every query fails as it does when PostgreSQL is stopped (as in the outage tests)."""
    refused = OperationalError('connection to server at "127.0.0.1", port 5432 failed')
    with mock.patch.object(connection, "cursor", side_effect=refused):
        yield


def test_a_mistyped_address_gets_the_branded_404_with_search_and_contact_us(client):
    response = client.get("/kb/akvo-flow/articles/no-such-article/")

    assert response.status_code == 404
    page = response.content.decode()
    assert in_site_layout(page)
    assert "We could not find that page" in page
    body = page.split('id="not-found"')[1]
    assert 'action="/kb/search/"' in body  # a search box in the page, not only the navbar
    assert hrefs_named(body, CONTACT_US) == ["/contact/"]
    assert hrefs_named(body, "Lost the link to a request?") == ["/t/lost/"]


def test_a_broken_ticket_link_leads_first_to_the_lost_link_form(client):
    cut_short = "/t/" + "a" * 32 + "/"  # a token of the right shape that matches no ticket

    response = client.get(cut_short)

    assert response.status_code == 404
    page = response.content.decode()
    assert in_site_layout(page)
    assert "This link to a request does not work" in page
    assert hrefs_named(page, "Email me the links to my requests") == ["/t/lost/"]


def test_an_agent_opening_a_back_office_page_their_role_does_not_allow_gets_the_branded_403(
    client,
):
    client.force_login(factories.l1_agent())

    response = client.get("/admin/auth/user/")

    assert response.status_code == 403
    page = response.content.decode()
    assert in_site_layout(page)
    assert "You cannot open this page" in page
    assert hrefs_named(page.split('id="refused"')[1], CONTACT_US) == ["/contact/"]


def test_the_desk_keeps_its_own_not_allowed_page(client):
    client.force_login(factories.UserFactory())  # staff, but no desk role

    response = client.get("/desk/")

    assert response.status_code == 403
    page = response.content.decode()
    assert "no role on the desk" in page
    assert hrefs_named(page, "Back to the queues") == ["/desk/"]
    assert "You cannot open this page" not in page


def test_a_form_sent_without_the_cookie_gets_the_branded_csrf_page_saying_why():
    browser = Client(enforce_csrf_checks=True)

    response = browser.post("/t/lost/", {"email": "kofi@partner.example.org"})

    assert response.status_code == 403
    page = response.content.decode()
    assert in_site_layout(page)
    assert "We could not accept this form" in page
    assert "did not send the cookie" in page
    assert "Nothing was sent or changed." in page


def test_a_form_from_a_stale_page_gets_the_branded_csrf_page():
    browser = Client(enforce_csrf_checks=True)
    browser.get("/t/lost/")  # sets the CSRF cookie

    response = browser.post("/t/lost/", {"email": "kofi@partner.example.org"})  # no token

    assert response.status_code == 403
    page = response.content.decode()
    assert "We could not accept this form" in page
    assert "open for a long time" in page


def test_a_bug_gets_the_branded_500_page(browser):
    with mock.patch("helpdesk.views.redirect", side_effect=RuntimeError("a bug")):
        response = browser.get("/signed-in/")

    assert response.status_code == 500
    page = response.content.decode()
    assert in_site_layout(page)
    assert "Something went wrong on our side" in page
    assert "a bug" not in page
    assert "Traceback" not in page


def test_the_500_page_renders_with_the_database_away(browser, database_away):
    with mock.patch("helpdesk.views.redirect", side_effect=RuntimeError("a bug")):
        response = browser.get("/signed-in/")

    assert response.status_code == 500  # a bug, not an outage: not the 503 page
    assert "Something went wrong on our side" in response.content.decode()


def test_other_errors_never_take_the_outage_page_away(browser, database_away):
    response = browser.get("/", HTTP_ACCEPT="text/html")

    assert response.status_code == 503
    assert "We will be right back" in response.content.decode()


def test_a_signed_in_partner_on_a_broken_link_during_an_outage_gets_the_outage_page(browser):
    # The 404 page shows who is signed in (base.html), which needs the session's row.
    browser.force_login(factories.UserFactory(is_staff=False))
    refused = OperationalError('connection to server at "127.0.0.1", port 5432 failed')
    with mock.patch.object(connection, "cursor", side_effect=refused):
        response = browser.get("/no-such-page/", HTTP_ACCEPT="text/html")

    assert response.status_code == 503
    assert "We will be right back" in response.content.decode()
