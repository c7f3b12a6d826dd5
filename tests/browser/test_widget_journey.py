"""The help widget on a product's page, in a real browser (Chromium from Debian, headless).

A fake Akvo Flow page, on another origin than the help desk (the live server as
127.0.0.1 while the help desk is localhost), includes widget.js and says who is
signed in and where. Ana presses "Help", finds an article, goes on to "Contact us",
finds her name, email, the page, the app's version, the instance and her survey
filled in, reviews and sends; the ticket arrives with that context, and the L1
agent's workspace shows it. A message from an origin not allowed for Flow fills
nothing. On a French page the frame and its close button are named in French.
Screenshots of the steps go under ``TEST_ARTIFACTS_DIR``.
"""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests import kb_factories as kb
from tests.browser.axe import Audit, audit_page, axe_script
from tests.browser.chromium import new_page, snap
from tests.browser.test_desk_journey import log_in
from tickets.models import Ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def other_origin(url: str) -> str:
    """The live server under its other name: the product page's origin."""
    return url.replace("localhost", "127.0.0.1")


@pytest.fixture
def flow_site(live_server, settings) -> str:
    """The fake Flow page's origin, the one allowed to embed Flow's widget."""
    site = other_origin(live_server.url)
    assert site != live_server.url
    settings.WIDGET_ALLOWED_ORIGINS = {"akvo-flow": (site,)}
    settings.WIDGET_DEMO_PAGE = True
    settings.PORTAL_MIN_FILL_SECONDS = 0
    return site


def the_widget_opens_on_the_flow_page(page, flow_site: str):
    host = f"{flow_site}/widget/demo/akvo-flow/"
    page.goto(host)
    help_button = page.get_by_role("button", name="Help")
    # Keyboard first: the button is reachable and opens the widget.
    help_button.focus()
    page.keyboard.press("Enter")
    assert help_button.get_attribute("aria-expanded") == "true"
    frame = page.frame_locator("iframe[title^='Help']")
    frame.get_by_role("heading", name="Search our articles").wait_for()
    return frame, host


def she_finds_an_article(frame) -> None:
    # Suggestions as she types; the article opens in a new tab.
    frame.get_by_label(re.compile("What do you need help with")).fill("export survey")
    article = frame.get_by_role("link", name=re.compile("Exporting survey data"))
    article.wait_for()
    assert article.get_attribute("target") == "_blank"


def she_finds_the_flow_context_in_contact_us(frame, host: str) -> None:
    from playwright.sync_api import expect  # as the browser fixture: only where it runs

    frame.get_by_role("link", name="Contact us").click()
    frame.get_by_role("heading", name="Contact us").wait_for()
    # What the Flow page passed is in the form, to see and change (it arrives by message).
    expect(frame.get_by_label("Your name")).to_have_value("Ana Demo")
    assert frame.get_by_label("Email address").input_value() == "ana.demo@example.org"
    assert frame.get_by_label("Page you were on").input_value() == host
    assert frame.get_by_label("App version").input_value() == "2.18.1"
    assert frame.get_by_label("Instance").input_value() == "demo.akvoflow.org"
    assert frame.get_by_label("Survey").input_value() == "Household survey 2026"
    assert frame.get_by_label("Subject").input_value() == "export survey"


def she_reviews_and_sends_a_question(frame) -> str:
    frame.get_by_label("Question").check()
    frame.get_by_label("Subject").fill("The survey export never finishes")
    frame.get_by_label("Your question").fill("The export of the household survey stays at 50%.")
    frame.get_by_role("button", name="Review my request").click()
    frame.get_by_role("heading", name="Check your request before sending it").wait_for()
    summary = frame.locator("#review-summary").inner_text()
    assert "2.18.1" in summary
    assert "demo.akvoflow.org" in summary
    assert not Ticket.objects.exists()
    frame.get_by_role("button", name="Send my request").click()
    reference = frame.locator("#widget-reference")
    reference.wait_for()
    return reference.inner_text()


def test_a_partner_files_a_ticket_from_flow_with_its_context(browser, live_server, flow_site):
    kb.article("Exporting survey data from the dashboard", body="Open Data, then Export.")
    agent = factories.l1_agent(username="amina.agent")
    page = new_page(browser, width=1280, height=900)

    frame, host = the_widget_opens_on_the_flow_page(page, flow_site)
    snap(page, "widget", "1-open")
    she_finds_an_article(frame)
    snap(page, "widget", "2-found")
    she_finds_the_flow_context_in_contact_us(frame, host)
    snap(page, "widget", "3-prefilled")
    reference = she_reviews_and_sends_a_question(frame)
    snap(page, "widget", "4-sent")

    ticket = Ticket.objects.get()
    assert reference == ticket.reference
    assert ticket.product.slug == "akvo-flow"
    assert (ticket.requester.name, ticket.requester.email) == ("Ana Demo", "ana.demo@example.org")
    assert ticket.product_details == {
        "folder": "Kenya / Baseline",
        "survey": "Household survey 2026",
    }
    assert ticket.environment == {
        "page_url": host,
        "app_version": "2.18.1",
        "instance": "demo.akvoflow.org",
    }

    # The agent sees it all in the workspace.
    desk = new_page(browser)
    log_in(desk, live_server.url, agent.username)
    desk.goto(f"{live_server.url}/desk/tickets/{ticket.pk}/")
    header = desk.locator("dl.desk-meta").inner_text()
    for shown in (host, "2.18.1", "demo.akvoflow.org", "Household survey 2026"):
        assert shown in header
    snap(desk, "widget", "5-desk")


def test_on_a_french_page_the_frame_and_its_close_button_are_named_in_french(browser, flow_site):
    from playwright.sync_api import expect

    page = new_page(browser)  # an English browser: the page's data-lang="fr" decides
    page.goto(f"{flow_site}/widget/demo/akvo-flow/?lang=fr")
    help_button = page.get_by_role("button", name="Help")  # the page's own word (data-label)
    help_button.click()
    page.frame_locator("iframe").get_by_role(
        "heading", name="Rechercher dans nos articles"
    ).wait_for()

    # Their words come from the frame, in the help desk's French catalogue.
    expect(page.locator("iframe")).to_have_attribute("title", "Aide pour Akvo Flow")
    close = page.get_by_role("button", name="Fermer", exact=True)
    expect(close).to_be_visible()
    assert page.get_by_role("button", name="Close").count() == 0
    # The focus went into the frame once it had its French name.
    page.wait_for_function(
        "() => document.querySelector('[data-helpdesk-widget]').shadowRoot"
        ".activeElement?.tagName === 'IFRAME'"
    )
    snap(page, "widget", "6-french")

    close.click()
    assert help_button.get_attribute("aria-expanded") == "false"


CONTEXT = {"name": "Mallory", "email": "mallory@evil.example", "appVersion": "6.6.6"}
# Posts a context to the page itself, then a marker: messages arrive in order, so once the
# marker is back the widget's own listener has dealt with the context.
POST_CONTEXT = """(context) => new Promise((resolve) => {
    window.addEventListener("message", (event) => { if (event.data === "probe") resolve(); });
    window.postMessage({type: "helpdesk-widget:context", context: context}, "*");
    window.postMessage("probe", "*");
})"""


def test_a_message_from_an_origin_not_allowed_for_the_product_fills_nothing(
    browser, live_server, flow_site, settings
):
    page = new_page(browser)
    # The widget's page at the help desk's own origin, which is not Flow's site.
    page.goto(f"{live_server.url}/widget/akvo-flow/contact/")
    page.evaluate(POST_CONTEXT, CONTEXT)

    assert page.get_by_label("Your name").input_value() == ""
    assert page.get_by_label("Email address").input_value() == ""
    assert page.get_by_label("App version").input_value() == ""

    # The same message from an allowed origin is taken: the origin is what refused it.
    settings.WIDGET_ALLOWED_ORIGINS = {"akvo-flow": (flow_site, live_server.url)}
    page.reload()
    page.evaluate(POST_CONTEXT, CONTEXT)
    assert page.get_by_label("Your name").input_value() == "Mallory"


def test_the_widget_passes_axe_on_the_host_page_and_in_its_pages(browser, live_server, flow_site):
    kb.article("Exporting survey data from the dashboard", body="Open Data, then Export.")
    page = audit_page(browser, width=420, height=640)
    audit = Audit(page, axe_script())

    page.goto(f"{flow_site}/widget/demo/akvo-flow/")
    page.get_by_role("button", name="Help").click()
    frame = page.frame_locator("iframe[title^='Help']")
    frame.get_by_role("heading").first.wait_for()
    audit.check("Flow page with the widget open")
    # Escape in the widget closes it and gives the focus back to its button.
    frame.get_by_role("searchbox").press("Escape")
    help_button = page.get_by_role("button", name="Help")
    page.wait_for_function(
        "() => document.querySelector('[data-helpdesk-widget]').shadowRoot"
        ".querySelector('[aria-expanded]').getAttribute('aria-expanded') === 'false'"
    )
    assert help_button.evaluate("(button) => button.getRootNode().activeElement === button")

    widget = f"{live_server.url}/widget/akvo-flow/"
    page.goto(widget)
    page.get_by_role("searchbox").fill("export")
    page.get_by_role("link", name=re.compile("Exporting survey data")).wait_for()
    audit.check("widget search with suggestions")
    page.get_by_role("link", name="Contact us").click()
    page.get_by_role("button", name="Review my request").click()
    page.locator("#form-errors").wait_for()
    audit.check("widget Contact us with errors")
    page.get_by_label("Question").check()
    page.get_by_label("Subject").fill("Export never finishes")
    page.get_by_label("Your question").fill("It stays at 50%.")
    page.get_by_label("Your name").fill("Ana Demo")
    page.get_by_label("Email address").fill("ana.demo@example.org")
    page.get_by_role("button", name="Review my request").click()
    page.locator("#review-summary").wait_for()
    audit.check("widget review")
    audit.assert_clean()
