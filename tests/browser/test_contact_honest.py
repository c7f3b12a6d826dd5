"""Contact Us in a real browser never claims what did not happen, nor hands a draft on.

- A valid form filled at autofill speed ends on the review step ("please
  confirm"), never on a thank-you, and its review cannot be sent at once.
- A second browser session on the same machine after the idle time starts empty.
- *Start over* clears the fields and the held files.
"""

from __future__ import annotations

import re

import pytest
from django.core.files.storage import default_storage

from portal import services as portal_services
from tests import factories
from tests.browser.chromium import new_page, snap
from tests.portal_helpers import png_bytes
from tickets.models import Ticket

# Any database: what the browser shows and does is the same on any engine (no search
# whose results differ between them: those journeys run on both). CI runs it once, on
# PostgreSQL (.ci/run).
pytestmark = [
    pytest.mark.database_agnostic,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THANK_YOU = "Thank you, we have received your request"
# 2027-01-15 08:00:00 UTC: 11:00 in Nairobi.
CLOCK_START = 1_800_000_000.0


@pytest.fixture
def page(browser):
    page = new_page(browser, width=1280, height=900)
    yield page
    page.context.close()


@pytest.fixture
def products(db):
    factories.product("akvo-flow")
    factories.category("bug")


def fill_in_at_autofill_speed(page, url: str, tmp_path, name: str = "stuck.png") -> None:
    """What autofill plus a paste does: every field at once, then the button."""
    page.goto(url + "/contact/")
    page.get_by_label("Product").select_option(label="Akvo Flow")
    page.get_by_label("Bug").check()
    page.get_by_label("Your name").fill("Amina Odhiambo")
    page.get_by_label("Email address").fill("amina@partner.example.org")
    page.get_by_label("Subject").fill("Outage: the dashboard does not load")
    page.get_by_label("What were you doing?").fill(
        "Opening the dashboard after signing in, as every morning."
    )
    page.get_by_label("What did you expect to happen?").fill("The list of surveys.")
    page.get_by_label("What actually happened?").fill(
        "Since 9:00 the dashboard shows a blank white page for everyone in our office, "
        "on every browser we tried, and the field teams cannot see their survey data."
    )
    page.get_by_label("Steps to reproduce").fill("1. Sign in\n2. Open the dashboard")
    shot = tmp_path / name
    shot.write_bytes(png_bytes((32, 24)))
    page.get_by_label("Attachments").set_input_files(str(shot))


def send_from_the_page_review(page) -> None:
    """ "Review my request" shows the request in the page; its "Send my request" sends it."""
    page.get_by_role("button", name="Review my request").click()
    page.locator("#page-review").get_by_role("button", name="Send my request").click()


def held_files_on_disk() -> list[str]:
    try:
        folders, _ = default_storage.listdir(portal_services.DRAFTS_DIR)
    except FileNotFoundError:
        return []
    return [
        name
        for folder in folders
        for name in default_storage.listdir(f"{portal_services.DRAFTS_DIR}/{folder}")[1]
    ]


def test_an_autofill_speed_submit_ends_on_the_review_step_not_on_a_thank_you(
    page, live_server, settings, tmp_path, products
):
    settings.PORTAL_MIN_FILL_SECONDS = 60
    fill_in_at_autofill_speed(page, live_server.url, tmp_path)
    send_from_the_page_review(page)
    page.wait_for_url(re.compile(r"/contact/review/$"))
    page.locator("#please-confirm").wait_for()
    review = page.content()
    assert THANK_YOU not in review
    assert "Outage: the dashboard does not load" in review
    assert "stuck.png" in review
    snap(page, "honest", "1-fast-review")

    # Sent at once too: asked again, still nothing claimed and no ticket.
    with page.expect_navigation():
        page.get_by_role("button", name="Send my request").click()
    assert page.url.endswith("/contact/review/")
    page.locator("#please-confirm").wait_for()
    assert THANK_YOU not in page.content()
    assert not Ticket.objects.exists()
    assert len(held_files_on_disk()) == 1


def test_a_second_session_after_the_idle_time_starts_empty(
    browser, live_server, settings, tmp_path, products, monkeypatch
):
    settings.PORTAL_MIN_FILL_SECONDS = 60  # sent at autofill speed: the draft is held
    settings.PORTAL_DRAFT_IDLE_MINUTES = 120
    clock = {"at": CLOCK_START}
    monkeypatch.setattr(portal_services, "now", lambda: clock["at"])
    context = browser.new_context(timezone_id="Africa/Nairobi", locale="en-GB")
    try:
        first = context.new_page()
        first.set_default_timeout(15_000)
        fill_in_at_autofill_speed(first, live_server.url, tmp_path)
        send_from_the_page_review(first)
        first.wait_for_url(re.compile(r"/contact/review/$"))
        first.close()

        # Soon after, on the same machine: asked, not restored; the time in Nairobi's zone.
        second = context.new_page()
        second.set_default_timeout(15_000)
        second.goto(live_server.url + "/contact/")
        prompt = second.locator("#draft-prompt")
        prompt.wait_for()
        assert "Continue your draft from" in prompt.inner_text()
        assert "11:00" in prompt.locator("time").inner_text()
        assert "Outage" not in second.content()
        snap(second, "honest", "2-continue-prompt")
        second.close()

        clock["at"] += 121 * 60
        third = context.new_page()
        third.set_default_timeout(15_000)
        third.goto(live_server.url + "/contact/")
        assert third.get_by_label("Subject").input_value() == ""
        assert "Continue your draft" not in third.content()
        assert "stuck.png" not in third.content()
        assert held_files_on_disk() == []
        snap(third, "honest", "3-after-idle")
    finally:
        context.close()


def test_start_over_clears_the_fields_and_the_held_files(
    page, live_server, settings, tmp_path, products
):
    settings.PORTAL_MIN_FILL_SECONDS = 60  # sent at autofill speed: the draft is held
    fill_in_at_autofill_speed(page, live_server.url, tmp_path, name="held.png")
    send_from_the_page_review(page)
    page.wait_for_url(re.compile(r"/contact/review/$"))
    page.get_by_role("link", name="Change something").click()
    page.wait_for_url(re.compile(r"/contact/\?resume=1$"))
    assert page.get_by_label("Subject").input_value() == "Outage: the dashboard does not load"
    assert "held.png" in page.locator("#held-files").inner_text()
    assert len(held_files_on_disk()) == 1

    page.get_by_role("button", name="Start over").click()
    page.wait_for_url(re.compile(r"/contact/$"))
    assert page.get_by_label("Subject").input_value() == ""
    assert page.get_by_label("Your name").input_value() == ""
    assert page.locator("#held-files").count() == 0
    assert held_files_on_disk() == []
    snap(page, "honest", "4-started-over")
    assert not Ticket.objects.exists()
