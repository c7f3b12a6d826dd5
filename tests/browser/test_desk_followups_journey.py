"""After the first reply, in a real browser on a 1366 x 768 laptop screen.

Lena, an L1 agent, starts her afternoon: the queue fits her screen with the SLA
column in view; a customer who answered is marked in *Needs reply*; L2's
workaround waits in *L2 updates — tell the partner* with a drafted update, and
her public reply clears the mark; the error text a customer pasted finds its
ticket; and a ticket she marks urgent carries the badge and leads the queue.
Screenshots of each step go under ``TEST_ARTIFACTS_DIR`` (default
``var/test-artifacts/``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.core import mail
from django.test import Client

from tests import factories
from tests.browser.chromium import new_page, snap
from tests.browser.test_desk_journey import log_in
from tests.desk_helpers import deliver_all, ticket_from
from tests.github_factories import WEBHOOK_SECRET
from tests.l2_news_helpers import WORKAROUND, comment_payload, escalated_on_seven, webhook
from tickets import services
from tickets.models import MessageKind, Ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LAPTOP = {"width": 1366, "height": 768}


@dataclass
class Afternoon:
    url: str
    replied: Ticket
    with_news: Ticket
    pasted_error: Ticket
    to_hurry: Ticket


def lenas_afternoon(url: str) -> Afternoon:
    """Four tickets: one answered by the customer, one with L2 news, one with an error
    pasted in a later message, one that will become urgent."""
    lena = factories.l1_agent(username="lena.agent", first_name="Lena", last_name="Achieng")
    replied = ticket_from("kofi@partner.example.org", name="Kofi Mensah", subject="Map tiles")
    services.ticket_assign(ticket=replied, assignee=lena, by=lena)
    services.ticket_reply(ticket=replied, by=lena, kind=MessageKind.REPLY, body="Which device?")
    services.ticket_add_message(
        ticket=replied,
        kind=MessageKind.CUSTOMER,
        body="An Android 14 tablet.",
        requester=replied.requester,
    )
    with_news = escalated_on_seven(lena)
    webhook(Client(), "issue_comment", comment_payload(WORKAROUND), "d-afternoon")
    pasted_error = ticket_from("ama@partner.example.org", name="Ama Boateng", subject="Sync")
    services.ticket_add_message(
        ticket=pasted_error,
        kind=MessageKind.CUSTOMER,
        body="The log says: checksum mismatch in bundle 7731",
        requester=pasted_error.requester,
    )
    to_hurry = ticket_from("yaw@partner.example.org", name="Yaw Darko", subject="Login loop")
    deliver_all()
    mail.outbox.clear()
    return Afternoon(url, replied, with_news, pasted_error, to_hurry)


def open_queue(page, base: str, slug: str, query: str = "") -> None:
    page.goto(f"{base}/desk/queues/{slug}/{query}")
    page.locator("#queue-table").wait_for()


def the_sla_column_is_on_screen(page) -> None:
    """Every row's SLA cell lies inside the 1366 px viewport: no sideways scrolling."""
    header = page.locator("#queue-table thead th[data-column='sla']")
    box = header.bounding_box()
    assert box is not None
    assert box["x"] >= 0, box
    assert box["x"] + box["width"] <= LAPTOP["width"], box
    for cell in page.locator("#queue-table tbody td[data-column='sla']").all():
        cell_box = cell.bounding_box()
        assert cell_box is not None
        assert cell_box["x"] + cell_box["width"] <= LAPTOP["width"], cell_box
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= LAPTOP["width"], scroll_width


def the_customers_answer_is_marked(page, day: Afternoon) -> None:
    open_queue(page, day.url, "needs_reply")
    row = page.locator(f"#row-{day.replied.pk}")
    marker = row.get_by_test_id("customer-replied")
    assert re.fullmatch(r"customer replied \d+\s+minutes? ago", marker.inner_text().strip())
    due = row.get_by_test_id("next-reply-due")  # in the Due column, ticking
    # Hours and minutes, or days and hours when the hub is closed for the night.
    countdown = r"reply due in (\d+d \d+h|\d+h \d+m|\d+m)"
    assert re.fullmatch(countdown, due.inner_text().strip()), due.inner_text()
    the_sla_column_is_on_screen(page)
    snap(page, "followups", "1-needs-reply")


def she_passes_on_l2s_workaround(page, day: Afternoon) -> None:
    open_queue(page, day.url, "l2_news")
    row = page.locator(f"#row-{day.with_news.pk}")
    assert row.get_by_test_id("l2-news").is_visible()
    row.get_by_role("link").first.click()
    page.wait_for_url(re.compile(rf"/desk/tickets/{day.with_news.pk}/"))
    assert page.get_by_test_id("l2-news-panel").is_visible()
    draft = page.get_by_label("Message").input_value()
    assert "untick Include media in Settings > Export" in draft
    for private in ("amina@partner.example.org", "engineer@akvo.example.org", "712 345 678"):
        assert private not in draft
    snap(page, "followups", "2-l2-draft")
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("Reply sent to the requester.").wait_for()
    assert page.get_by_test_id("l2-news").count() == 0
    deliver_all()
    [email] = [m for m in mail.outbox if "amina@partner.example.org" in m.to]
    assert "Include media" in email.body


def she_finds_the_pasted_error(page, day: Afternoon) -> None:
    open_queue(page, day.url, "all")
    page.get_by_label("Search").fill("checksum mismatch")
    page.get_by_label("Search").press("Enter")
    page.wait_for_url(re.compile(r"q=checksum"))
    row = page.locator(f"#row-{day.pasted_error.pk}")
    assert row.is_visible()
    assert "checksum" in row.locator("mark").first.inner_text().lower()
    assert page.locator("#queue-table tbody tr[data-ticket-row]").count() == 1
    snap(page, "followups", "3-search")


def she_marks_one_urgent_and_it_leads_the_queue(page, day: Afternoon) -> None:
    page.goto(f"{day.url}/desk/tickets/{day.to_hurry.pk}/")
    page.get_by_placeholder("Why urgent (optional)").fill("Ministry demo tomorrow")
    page.get_by_role("button", name="Mark urgent").click()
    page.get_by_test_id("urgent-badge").first.wait_for()
    open_queue(page, day.url, "all")
    first = page.locator("#queue-table tbody tr[data-ticket-row]").first
    assert first.get_attribute("id") == f"row-{day.to_hurry.pk}"
    assert first.get_by_test_id("urgent-badge").is_visible()
    the_sla_column_is_on_screen(page)
    snap(page, "followups", "4-urgent-first")


def test_an_agent_hears_the_customer_passes_on_l2_news_finds_by_body_and_hurries_one(
    browser, live_server, settings
):
    settings.SITE_URL = live_server.url
    settings.GITHUB_WEBHOOK_SECRET = WEBHOOK_SECRET
    day = lenas_afternoon(live_server.url)
    page = new_page(browser, **LAPTOP)
    log_in(page, live_server.url, "lena.agent")
    the_sla_column_is_on_screen(page)
    the_customers_answer_is_marked(page, day)
    she_passes_on_l2s_workaround(page, day)
    she_finds_the_pasted_error(page, day)
    she_marks_one_urgent_and_it_leads_the_queue(page, day)
