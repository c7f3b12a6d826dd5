"""An L1 agent's day in a real browser (Chromium from Debian, headless).

The agent logs in, opens "New — to triage", triages a ticket (bug, Significant,
two issue tags, assigned to herself) and sends a public reply; the requester
receives it by email and the ticket moves to "Waiting on customer". A colleague
who had the same ticket open saves an older version of it and is refused with a
clear message. A screenshot of each step is saved under ``TEST_ARTIFACTS_DIR``
(default ``var/test-artifacts/``).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from tests import factories
from tests.desk_helpers import deliver_all, ticket_from
from tickets.models import MessageKind, Status, Ticket

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(
    os.environ.get("TEST_ARTIFACTS_DIR", str(settings.BASE_DIR / "var" / "test-artifacts"))
)
PASSWORD = "correct horse battery"  # tests.factories.UserFactory's

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not shutil.which(CHROMIUM),
        reason=f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)",
    ),
]


@pytest.fixture
def browser(live_server, monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test
    # makes between browser steps are plain synchronous ones. Set for this test only,
    # so that no other test (e.g. the deploy check's subprocess) inherits it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield chromium
        chromium.close()


def new_page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def snap(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"desk-journey-{name}.png"), full_page=True)


def log_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/desk/")
    page.wait_for_url(re.compile(r"/admin/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/desk/queues/new/"))


def test_an_agent_triages_and_answers_a_new_bug_and_a_stale_save_is_refused(
    browser, live_server, settings
):
    settings.SITE_URL = live_server.url
    amina = factories.l1_agent(username="amina.agent", first_name="Amina", last_name="Wanjiru")
    factories.l1_agent(username="kofi.agent", first_name="Kofi", last_name="Mensah")
    ticket = ticket_from(
        "grace@partner.example.org",
        name="Grace Otieno",
        subject="Household survey export stops at 50%",
        category=None,
    )
    deliver_all()
    mail.outbox.clear()
    bug, significant = factories.category("bug"), factories.impact("significant")
    tags = [factories.issue_tag("data-export"), factories.issue_tag("user-management")]

    # A colleague opens the same ticket first and leaves the tab open.
    colleague = new_page(browser)
    log_in(colleague, live_server.url, "kofi.agent")
    colleague.goto(f"{live_server.url}/desk/tickets/{ticket.pk}/")

    # 1. Amina logs in and lands on "New — to triage".
    page = new_page(browser)
    log_in(page, live_server.url, "amina.agent")
    assert page.locator("#queue-title").inner_text() == "New — to triage"
    row = page.locator(f"#row-{ticket.pk}")
    assert "Household survey export stops at 50%" in row.inner_text()
    snap(page, "1-new-queue")

    # 2. She opens the ticket from the queue.
    row.get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/desk/tickets/{ticket.pk}/"))
    assert page.locator("#ticket-reference").inner_text() == ticket.reference
    snap(page, "2-workspace")

    # 3. Triage: bug, Significant (its definition is on the page), two tags, assigned to her.
    page.get_by_label("Category").select_option(label="Bug")
    page.locator(f"#impact-{significant.pk}").check()
    assert page.get_by_text("many users cannot do their normal work").is_visible()
    for tag in tags:
        page.locator(f"#tag-{tag.pk}").check()
    page.get_by_label("Assignee").select_option(label="Amina Wanjiru")
    page.get_by_role("button", name="Save triage").click()
    page.get_by_text("Triage saved.").wait_for()
    snap(page, "3-triaged")
    ticket.refresh_from_db()
    assert (ticket.category, ticket.impact, ticket.assignee) == (bug, significant, amina)
    assert sorted(ticket.issue_tags.values_list("pk", flat=True)) == sorted(t.pk for t in tags)

    # 4. A public reply ("r" puts the cursor in the reply box).
    page.keyboard.press("r")
    page.get_by_label("Message").fill(
        "Hello Grace, large exports now run in the background: you will get an email "
        "with the file. Could you try again and tell us if it finishes?"
    )
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("Reply sent to the requester.").wait_for()
    assert page.locator("#ticket-status").inner_text() == "Waiting on customer"
    snap(page, "4-replied")

    # 5. The requester receives it by email.
    deliver_all()
    [email] = [m for m in mail.outbox if "grace@partner.example.org" in m.to]
    assert "large exports now run in the background" in email.body
    assert ticket.reference in email.subject

    # 6. The ticket is now in "Waiting on customer".
    page.get_by_role("link", name="Back to the queue").click()
    page.locator("#queue-nav").get_by_role("link", name=re.compile("Waiting on customer")).click()
    page.wait_for_url(re.compile(r"/desk/queues/waiting/"))
    assert page.locator(f"#row-{ticket.pk}").is_visible()
    snap(page, "5-waiting-queue")

    # 7. The colleague's tab is stale: saving it is refused, and says why.
    colleague.locator(f"#impact-{factories.impact('low').pk}").check()
    colleague.get_by_role("button", name="Save triage").click()
    warning = colleague.locator("#stale-warning")
    warning.wait_for()
    assert "was changed by Amina Wanjiru" in warning.inner_text()
    assert "not saved" in warning.inner_text()
    assert "What you tried to set: Impact: Low" in warning.inner_text()
    snap(colleague, "6-stale-refused")
    ticket.refresh_from_db()
    assert ticket.impact == significant
    assert ticket.status == Status.WAITING
    assert ticket.messages.filter(kind=MessageKind.REPLY).count() == 1
    assert Ticket.objects.count() == 1
