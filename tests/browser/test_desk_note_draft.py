"""In a real browser: the customer draft waits in the reply box, never in a note for L2.

L2 closed the issue, so a drafted update for the partner waits in the reply box.
The agent switches to "Internal note" to write to L2: the untouched draft is set
aside (the note box starts empty); back on "Public reply" it is there again.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests import factories
from tests.browser.chromium import new_page
from tests.github_factories import REPOSITORY, escalated_ticket
from tickets import escalation

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's

# Any database: what the browser shows and does is the same on any engine (no search
# whose results differ between them: those journeys run on both). CI runs it once, on
# PostgreSQL (.ci/run).
pytestmark = [
    pytest.mark.database_agnostic,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_switching_to_an_internal_note_sets_the_customer_draft_aside(browser, live_server):
    agent = factories.l1_agent(username="amina.agent", first_name="Amina", last_name="Wanjiru")
    ticket, issue = escalated_ticket(agent=agent)
    escalation.issue_filed(
        issue=issue, number=5, url=f"https://github.com/{REPOSITORY}/issues/5", title="t"
    )
    escalation.issue_apply_update(
        escalation.IssueUpdate(REPOSITORY, 5, "closed", state_reason="completed",
                               changed_at=datetime(2030, 1, 1, tzinfo=UTC))
    )  # fmt: skip
    page = new_page(browser)
    page.goto(f"{live_server.url}/desk/tickets/{ticket.pk}/")
    page.wait_for_url(re.compile(r"/admin/login/"))
    page.get_by_label("Username").fill("amina.agent")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(rf"/desk/tickets/{ticket.pk}/"))
    box = page.locator("textarea[data-reply-body]")
    assert "Good news: our engineering team has fixed" in box.input_value()

    page.get_by_label("Internal note (staff only)").check()
    assert box.input_value() == ""
    assert page.locator("textarea[name=technical_summary]").input_value() == ""

    page.get_by_label("Public reply (emailed to the requester)").check()
    assert "Good news: our engineering team has fixed" in box.input_value()
