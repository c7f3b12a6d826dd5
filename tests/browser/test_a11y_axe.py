"""axe-core audits every page a partner or an agent uses: nothing serious or critical.

A partner who reads with a screen reader, zooms, or only uses the keyboard reaches
the same help as anyone: the portal and knowledge base pages, Contact Us empty, with
its errors, at the review step and once sent, the private ticket page, the 404 page,
and the agent's queue and workspace. axe-core (WCAG 2.0/2.1, A and AA) runs on each
as it is shown; the failure lists every violation with its id, help and the nodes.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.browser.a11y_site import a_small_site, an_l1_agent, public_paths
from tests.browser.axe import Audit, audit_page, axe_script
from tickets.models import Ticket

# Any database: what the browser shows and does is the same on any engine (no search
# whose results differ between them: those journeys run on both). CI runs it once, on
# PostgreSQL (.ci/run).
pytestmark = [
    pytest.mark.database_agnostic,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
SUBJECT = "Exporting survey data: where are the repeat groups?"


@pytest.fixture
def axe() -> str:
    return axe_script()


def test_every_public_page_passes_axe(axe, browser, live_server):
    site = a_small_site()
    page = audit_page(browser)
    audit = Audit(page, axe)

    for name, path in public_paths(site).items():
        response = page.goto(live_server.url + path)
        assert response is not None
        assert response.status == (404 if name == "404 page" else 200), name
        audit.check(name)

    audit.assert_clean()


def a_partner_sends_contact_us_empty(page, audit: Audit) -> None:
    """Submitted empty, the form comes back with its errors and focus on their summary."""
    page.get_by_role("button", name="Review my request").click()
    with page.expect_navigation():
        page.locator("#page-review-send").click()
    summary = page.locator("#form-errors")
    summary.wait_for()
    assert page.evaluate("() => document.activeElement.id") == "form-errors"
    audit.check("Contact Us with errors")


def she_fills_it_in_and_reviews_it(page, audit: Audit) -> None:
    page.get_by_label("Your name").fill("Grace Otieno")
    page.get_by_label("Email address").fill("grace@partner.example.org")
    page.get_by_label("Product").select_option(label="Akvo Flow")
    page.get_by_label("Question", exact=True).check()
    page.get_by_label("Subject").fill(SUBJECT)
    page.locator("#id_description").fill("The export has one sheet; where are the repeats?")
    # htmx has swapped in the product's fields and the suggested articles: audited too.
    page.get_by_role("link", name="Exporting survey data from the dashboard").first.wait_for()
    page.get_by_role("button", name="Review my request").click()
    page.locator("#page-review").wait_for()
    audit.check("review in the Contact Us page")


def test_contact_us_passes_axe_empty_with_errors_at_review_and_sent(
    axe, browser, live_server, settings
):
    a_small_site()
    page = audit_page(browser)
    audit = Audit(page, axe)
    settings.PORTAL_MIN_FILL_SECONDS = 0  # the review step below is for the short description

    page.goto(live_server.url + reverse("portal:contact"))
    audit.check("Contact Us, empty")
    a_partner_sends_contact_us_empty(page, audit)
    she_fills_it_in_and_reviews_it(page, audit)
    # A one-line description: the server's review step says support may ask for more.
    with page.expect_navigation():
        page.locator("#page-review-send").click()
    page.wait_for_url(re.compile(r"/contact/review/"))
    audit.check("review step")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my request").click()
    page.locator("#ticket-reference").wait_for()
    audit.check("request received")

    audit.assert_clean()
    assert Ticket.objects.filter(subject=SUBJECT).count() == 1


def test_the_desk_queue_and_ticket_workspace_pass_axe(axe, browser, live_server):
    site = a_small_site()
    an_l1_agent()
    page = audit_page(browser)
    audit = Audit(page, axe)

    page.goto(live_server.url + reverse("desk:home"))
    page.wait_for_url(re.compile(r"/admin/login/"))
    page.get_by_label("Username").fill("amina.agent")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/desk/queues/new/"))
    audit.check("desk queue")
    page.goto(live_server.url + reverse("desk:ticket", args=[site.ticket.pk]))
    page.locator("#ticket-reference").wait_for()
    audit.check("ticket workspace")

    audit.assert_clean()
