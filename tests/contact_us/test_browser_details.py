"""Contact Us names the browser as people do ("Chrome 156 on Linux"); the raw User-Agent
string is never shown in the form but goes with a bug report, where engineers read it."""

from __future__ import annotations

import pytest

from portal.browsers import browser_name
from tests import factories
from tests.desk_helpers import logged_in
from tests.portal_helpers import contact_data, send_contact_form, submit_review
from tickets.escalation.issue_text import issue_draft
from tickets.models import Ticket

CHROME_ON_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Safari/537.36"
)
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
CHROME_ON_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/125.0.0.0 Mobile Safari/537.36"
)
FIREFOX_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0"
)
# macOS has said "10_15_7" since version 11: no version rather than a wrong one.
SAFARI_ON_A_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Safari/605.1.15"
)


@pytest.mark.parametrize(
    ("user_agent", "named"),
    [
        (CHROME_ON_LINUX, "Chrome 156 on Linux"),
        (SAFARI_ON_IPHONE, "Mobile Safari 17 on iOS 17"),
        (CHROME_ON_ANDROID, "Chrome Mobile 125 on Android 14"),
        (FIREFOX_ON_WINDOWS, "Firefox 140 on Windows 10"),
        (SAFARI_ON_A_MAC, "Safari 18 on Mac OS X"),
        ("helpdesk-loadtest", ""),  # unknown: the person writes it, we do not guess
        ("", ""),
    ],
)
def test_the_browser_is_named_as_a_person_would_name_it(user_agent, named):
    assert browser_name(user_agent) == named


@pytest.mark.django_db
def test_the_form_fills_in_the_readable_name_and_never_shows_the_raw_string(client):
    page = client.get("/contact/", headers={"user-agent": SAFARI_ON_IPHONE}).content.decode()

    assert 'name="env_computer" value="Mobile Safari 17 on iOS 17"' in page
    assert "AppleWebKit" not in page
    assert "15E148" not in page


@pytest.mark.django_db
def test_a_bug_report_keeps_the_raw_user_agent_for_engineers(client, started):
    ua = {"headers": {"user-agent": CHROME_ON_LINUX}}
    send_contact_form(
        client, contact_data(started=started, env_computer="Chrome 156 on Linux"), **ua
    )
    submit_review(client, **ua)

    ticket = Ticket.objects.get()
    assert ticket.environment == {
        "computer_browser": "Chrome 156 on Linux",
        "user_agent": CHROME_ON_LINUX,
    }
    # The engineer reads it in the desk and in the GitHub issue filed from the ticket.
    agent = logged_in(factories.l1_agent())
    assert CHROME_ON_LINUX in agent.get(f"/desk/tickets/{ticket.pk}/").content.decode()
    issue = issue_draft(ticket=ticket, summary="Export stops at 50%.", include_contact=False)
    assert f"User agent: {CHROME_ON_LINUX}" in issue.body


@pytest.mark.django_db
def test_the_raw_user_agent_of_a_bug_sent_in_one_round_trip_is_kept_too(client, started):
    key = client.get("/contact/").context["submission_key"]
    data = contact_data(started=started, submission_key=key, reviewed="1")

    response = send_contact_form(client, data, headers={"user-agent": FIREFOX_ON_WINDOWS})

    assert response.status_code == 200
    assert Ticket.objects.get().environment["user_agent"] == FIREFOX_ON_WINDOWS


@pytest.mark.django_db
def test_a_question_keeps_no_device_details_at_all(client, started):
    ua = {"headers": {"user-agent": CHROME_ON_LINUX}}
    question = factories.category("question").pk
    data = contact_data(started=started, category=question, description="How do I add a user?")
    send_contact_form(client, data, **ua)
    submit_review(client, **ua)

    assert Ticket.objects.get().environment == {}
