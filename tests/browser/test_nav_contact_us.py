"""Contact Us where people look, in a real browser (Chromium from Debian, headless).

A partner on a phone reads a Flow article, taps Contact Us and lands on the form
with Akvo Flow chosen; one who follows a broken link lands on the branded 404 and
searches from it. Screenshots go under ``TEST_ARTIFACTS_DIR``.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.chromium import new_page, snap
from tests.browser.test_contact_journey import publish_article

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Scrolls sideways: the page is wider than the phone's screen.
OVERFLOW = "document.documentElement.scrollWidth > window.innerWidth"


@pytest.fixture
def phone(browser):
    page = new_page(browser, width=390, height=844)
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.refused = refused
    yield page
    page.context.close()


def test_a_partner_reading_a_flow_article_on_a_phone_contacts_us_with_flow_chosen(
    phone, live_server
):
    article = publish_article("akvo-flow", "Exporting survey data", "Open **Data > Export**.")

    phone.goto(live_server.url + "/")
    assert phone.get_by_role("navigation").first.get_by_role("link", name="Contact Us").is_visible()
    assert not phone.evaluate(OVERFLOW)  # the navigation wraps rather than scrolls
    snap(phone, "nav", "1-home-390")

    phone.goto(live_server.url + article.get_absolute_url())
    phone.get_by_role("main").get_by_role("link", name="Contact Us").first.click()
    phone.wait_for_url(re.compile(r"/contact/\?product=akvo-flow$"))
    product = phone.get_by_label("Product")
    assert product.locator("option:checked").inner_text() == "Akvo Flow"
    snap(phone, "nav", "2-contact-with-flow")
    assert phone.refused == []


def test_a_broken_link_lands_on_the_branded_404_and_its_search_finds_the_article(
    phone, live_server
):
    publish_article("akvo-flow", "Exporting survey data", "Open **Data > Export**.")

    response = phone.goto(live_server.url + "/kb/akvo-flow/articles/exporting-old-data/")
    assert response.status == 404
    assert phone.get_by_role("heading", name="We could not find that page").is_visible()
    assert not phone.evaluate(OVERFLOW)
    icon = "fetch(document.querySelector('link[rel=icon]').href).then(r => r.status)"
    assert phone.evaluate(icon) == 200
    snap(phone, "nav", "3-not-found-390")

    box = phone.locator("#not-found").get_by_role("searchbox")
    box.fill("export")
    box.press("Enter")
    phone.wait_for_url(re.compile(r"/kb/search/\?q=export"))
    assert phone.get_by_role("link", name="Exporting survey data").first.is_visible()
    assert phone.refused == []
