"""Contact Us is where partners look for it: in the navigation of every public page, and
as a button on the knowledge base pages that opens the form with their product chosen.

The support process tells people to look for a link labelled "Contact Us".
"""

from __future__ import annotations

import pytest

from tests import factories
from tests import kb_factories as kb
from tests.nav_helpers import CONTACT_US, hrefs_named, navigation
from tickets import services
from tickets.models import Channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def export():
    return kb.article("Export your data", body="## Start an export\n\nOpen **Data, Export**.")


def nav_contact_links(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return hrefs_named(navigation(response.content.decode()), CONTACT_US)


@pytest.mark.parametrize("url", ["/", "/contact/", "/t/lost/", "/kb/", "/kb/search/?q=export"])
def test_every_public_page_has_contact_us_in_its_navigation(client, export, url):
    assert nav_contact_links(client, url) == ["/contact/"]


def test_a_partner_reading_about_flow_finds_contact_us_in_the_navigation_with_flow_chosen(
    client, export
):
    for url in ("/kb/akvo-flow/", "/kb/akvo-flow/sections/data/", export.get_absolute_url()):
        assert nav_contact_links(client, url) == ["/contact/?product=akvo-flow"], url


def test_the_requesters_ticket_page_has_contact_us_in_its_navigation(client):
    ticket = services.ticket_create(
        requester_email="kofi@partner.example.org",
        requester_name="Kofi Mensah",
        subject="Indicator results missing",
        channel=Channel.WEB,
        product=factories.product("akvo-rsr"),
        category=factories.category("bug"),
    )

    assert nav_contact_links(client, f"/t/{ticket.token}/") == ["/contact/"]


def test_the_kb_home_has_a_contact_us_button(client, export):
    page = client.get("/kb/").content.decode()

    assert hrefs_named(page, CONTACT_US) == ["/contact/", "/contact/"]  # navigation, button


def test_the_flow_product_page_button_opens_the_form_with_flow_chosen(client, export):
    page = client.get("/kb/akvo-flow/").content.decode()

    assert hrefs_named(page, CONTACT_US) == ["/contact/?product=akvo-flow"] * 2


def test_an_article_sends_people_to_the_form_with_its_product_never_to_the_home_page(
    client, export
):
    page = client.get(export.get_absolute_url()).content.decode()

    # Navigation, the button beside the article and "Still stuck?" under the feedback.
    assert hrefs_named(page, CONTACT_US) == ["/contact/?product=akvo-flow"] * 3
    assert hrefs_named(page, "Contact support") == []  # it used to go to "/"


def test_the_form_opened_from_an_article_has_its_product_chosen(client, export):
    flow = factories.product("akvo-flow")

    page = client.get("/contact/?product=akvo-flow").content.decode()

    assert f'<option value="{flow.pk}" selected>Akvo Flow</option>' in page
