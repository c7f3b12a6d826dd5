"""An L1 agent's day in a real browser (Chromium from Debian, headless).

The agent logs in, opens "New — to triage", triages a ticket (bug, Significant,
two issue tags, assigned to herself) and sends a public reply; the requester
receives it by email and the ticket moves to "Waiting on customer". A colleague
who had the same ticket open saves an older version of it and is refused with a
clear message. A screenshot of each step is saved under ``TEST_ARTIFACTS_DIR``
(default ``var/test-artifacts/``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.core import mail

from catalog.models import Category, Impact, IssueTag
from tests import factories
from tests.browser.chromium import new_page, snap
from tests.desk_helpers import deliver_all, ticket_from
from tickets.models import MessageKind, Status, Ticket

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's

# Any database: what the browser shows and does is the same on any engine (no search
# whose results differ between them: those journeys run on both). CI runs it once, on
# PostgreSQL (.ci/run).
pytestmark = [
    pytest.mark.database_agnostic,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@dataclass
class Desk:
    """The desk at the start of the day: Grace's new bug, two agents, the taxonomy."""

    url: str
    ticket: Ticket
    amina: object
    bug: Category
    significant: Impact
    tags: list[IssueTag]


def a_new_bug_from_grace(url: str) -> Desk:
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
    tags = [factories.issue_tag("data-export"), factories.issue_tag("user-management")]
    return Desk(
        url, ticket, amina, factories.category("bug"), factories.impact("significant"), tags
    )


def log_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/desk/")
    page.wait_for_url(re.compile(r"/admin/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/desk/queues/new/"))


def a_colleague_opens_it_first(browser, desk: Desk):
    """Kofi opens the same ticket and leaves the tab open."""
    colleague = new_page(browser)
    log_in(colleague, desk.url, "kofi.agent")
    colleague.goto(f"{desk.url}/desk/tickets/{desk.ticket.pk}/")
    return colleague


def amina_opens_it_from_the_new_queue(browser, desk: Desk):
    # 1. Amina logs in and lands on "New — to triage".
    page = new_page(browser)
    log_in(page, desk.url, "amina.agent")
    assert page.locator("#queue-title").inner_text() == "New — to triage"
    row = page.locator(f"#row-{desk.ticket.pk}")
    assert "Household survey export stops at 50%" in row.inner_text()
    snap(page, "desk", "1-new-queue")

    # 2. She opens the ticket from the queue.
    row.get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/desk/tickets/{desk.ticket.pk}/"))
    assert page.locator("#ticket-reference").inner_text() == desk.ticket.reference
    snap(page, "desk", "2-workspace")
    return page


def she_triages_it(page, desk: Desk) -> None:
    """3. Bug, Significant (its definition is on the page), two tags, assigned to her."""
    page.get_by_label("Category").select_option(label="Bug")
    page.locator(f"#impact-{desk.significant.pk}").check()
    assert page.get_by_text("many users cannot do their normal work").is_visible()
    for tag in desk.tags:
        page.locator(f"#tag-{tag.pk}").check()
    page.get_by_label("Assignee").select_option(label="Amina Wanjiru")
    page.get_by_role("button", name="Save triage").click()
    page.get_by_text("Triage saved.").wait_for()
    snap(page, "desk", "3-triaged")
    ticket = Ticket.objects.get(pk=desk.ticket.pk)
    assert (ticket.category, ticket.impact, ticket.assignee) == (
        desk.bug,
        desk.significant,
        desk.amina,
    )
    assert sorted(ticket.issue_tags.values_list("pk", flat=True)) == sorted(t.pk for t in desk.tags)


def she_replies_and_grace_gets_the_email(page, desk: Desk) -> None:
    # 4. A public reply ("r" puts the cursor in the reply box).
    page.keyboard.press("r")
    page.get_by_label("Message").fill(
        "Hello Grace, large exports now run in the background: you will get an email "
        "with the file. Could you try again and tell us if it finishes?"
    )
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("Reply sent to the requester.").wait_for()
    assert page.locator("#ticket-status").inner_text() == "Waiting on customer"
    snap(page, "desk", "4-replied")

    # 5. The requester receives it by email.
    deliver_all()
    [email] = [m for m in mail.outbox if "grace@partner.example.org" in m.to]
    assert "large exports now run in the background" in email.body
    assert desk.ticket.reference in email.subject


def it_waits_on_the_customer(page, desk: Desk) -> None:
    """6. The ticket is now in "Waiting on customer"."""
    page.get_by_role("link", name="Back to the queue").click()
    page.locator("#queue-nav").get_by_role("link", name=re.compile("Waiting on customer")).click()
    page.wait_for_url(re.compile(r"/desk/queues/waiting/"))
    assert page.locator(f"#row-{desk.ticket.pk}").is_visible()
    snap(page, "desk", "5-waiting-queue")


def the_colleagues_stale_save_is_refused(colleague, desk: Desk) -> None:
    """7. The colleague's tab is stale: saving it is refused, says why, and changes nothing."""
    colleague.locator(f"#impact-{factories.impact('low').pk}").check()
    colleague.get_by_role("button", name="Save triage").click()
    warning = colleague.locator("#stale-warning")
    warning.wait_for()
    assert "was changed by Amina Wanjiru" in warning.inner_text()
    assert "not saved" in warning.inner_text()
    assert "What you tried to set: Impact: Low" in warning.inner_text()
    snap(colleague, "desk", "6-stale-refused")
    ticket = Ticket.objects.get(pk=desk.ticket.pk)
    assert ticket.impact == desk.significant
    assert ticket.status == Status.WAITING
    assert ticket.messages.filter(kind=MessageKind.REPLY).count() == 1
    assert Ticket.objects.count() == 1


def test_an_agent_triages_and_answers_a_new_bug_and_a_stale_save_is_refused(
    browser, live_server, settings
):
    settings.SITE_URL = live_server.url
    desk = a_new_bug_from_grace(live_server.url)
    colleague = a_colleague_opens_it_first(browser, desk)
    page = amina_opens_it_from_the_new_queue(browser, desk)
    she_triages_it(page, desk)
    she_replies_and_grace_gets_the_email(page, desk)
    it_waits_on_the_customer(page, desk)
    the_colleagues_stale_save_is_refused(colleague, desk)
