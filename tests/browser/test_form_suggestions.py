"""Contact Us suggestions on a phone: at most three titles, and the fields below stay put."""

from __future__ import annotations

import pytest

from tests import factories
from tests.browser.chromium import new_page, snap
from tests.browser.test_contact_journey import publish_article

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def page(browser):
    page = new_page(browser, width=390, height=844)
    yield page
    page.context.close()


def test_suggestions_appear_while_typing_without_moving_the_next_field(page, live_server):
    for title in (
        "Exporting survey data from the dashboard",
        "Export of survey data stops halfway: what to check first when a large export hangs",
        "Survey data export formats",
        "Scheduling a survey data export",
        "Survey data export permissions",
    ):
        publish_article("akvo-flow", title, "Open **Data > Export** to export survey data.")
    factories.category("bug")
    page.goto(live_server.url + "/contact/")
    page.get_by_label("Bug", exact=True).check()
    next_field = page.get_by_label("What were you doing?")
    before = next_field.bounding_box()

    page.get_by_label("Subject").press_sequentially("Export survey data", delay=20)
    page.locator("#suggestions").get_by_role("link").first.wait_for()
    snap(page, "contact-form", "phone-suggestions")

    assert page.locator("#suggestions").get_by_role("link").count() == 3
    assert next_field.bounding_box()["y"] == before["y"]
    # A long title is cut on its line, never wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # Opening one shows "this answered my question" on its line: still nothing moves.
    with page.context.expect_page() as opened:
        page.locator("#suggestions").get_by_role("link").first.click()
    opened.value.close()
    page.locator("#suggestions").get_by_role("button", name="This answered my question").wait_for()
    assert next_field.bounding_box()["y"] == before["y"]
