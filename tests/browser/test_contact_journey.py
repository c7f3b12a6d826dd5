"""The whole Contact Us journey in a real browser (Chromium from Debian, headless).

Searches the knowledge base, opens Contact Us, picks Akvo Flow and sees its
fields, types a subject and sees suggestions, attaches a screenshot, reviews,
submits, reads the reference; then opens the private link from the email and
replies. A screenshot of each step is saved under ``TEST_ARTIFACTS_DIR``
(default ``var/test-artifacts/``).
"""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests import factories
from tests.browser.chromium import new_page, snap
from tests.portal_helpers import deliver_all, png_bytes
from tickets.models import MessageKind, Ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def publish_article(product_slug: str, title: str, body: str):
    from kb import services as kb_services
    from kb.models import Article, Section

    product = factories.product(product_slug)
    section, _ = Section.objects.get_or_create(
        product=product, slug="data", defaults={"title": "Data and exports"}
    )
    article = kb_services.article_save(
        article=Article(product=product, section=section, title=title, summary=title, body=body),
        by=None,
    )
    return kb_services.article_publish(article=article, by=None)


@pytest.fixture
def page(browser):
    page = new_page(browser, width=1280, height=900)
    yield page
    page.context.close()


def the_knowledge_base_has_two_flow_articles() -> None:
    publish_article(
        "akvo-flow",
        "Exporting survey data from the dashboard",
        "Open **Data > Export**, choose the survey and the raw data export. Large "
        "exports run in the background; you get an email when the export is ready.",
    )
    publish_article("akvo-flow", "Adding users to a survey group", "Go to **Users** and invite.")


def she_searches_then_contacts_support(page, url: str) -> None:
    # 1. Self-help first: search the knowledge base from the home page.
    page.goto(url + "/")
    page.get_by_role("searchbox").first.fill("export survey")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/kb/search/"))
    assert "Exporting survey data from the dashboard" in page.content()
    snap(page, "contact", "1-kb-search")

    # 2. Not answered: Contact Us.
    page.goto(url + "/")
    page.get_by_role("link", name="Contact Us", exact=True).first.click()
    page.wait_for_url(re.compile(r"/contact/$"))
    snap(page, "contact", "2-contact-form")


def she_picks_flow_and_types_a_subject(page) -> None:
    # 3. A bug, about Akvo Flow: the bug questions and Flow's own fields appear.
    page.get_by_label("Bug").check()
    assert page.get_by_label("What were you doing?").is_visible()
    page.get_by_label("Product").select_option(label="Akvo Flow")
    page.get_by_label("IMEI").wait_for()
    assert page.get_by_label("Device ID").is_visible()
    snap(page, "contact", "3-flow-fields")

    # 4. Type the subject: suggestions from the knowledge base.
    page.get_by_label("Your name").fill("Amina Odhiambo")
    page.get_by_label("Email address").fill("amina@partner.example.org")
    page.get_by_label("Subject").press_sequentially("Export of survey data", delay=20)
    suggestion = page.locator("#suggestions").get_by_role(
        "link", name="Exporting survey data from the dashboard"
    )
    suggestion.wait_for()
    snap(page, "contact", "4-suggestions")


def she_describes_the_bug_with_a_screenshot(page, tmp_path) -> None:
    """5. Describe the bug, attach a screenshot."""
    page.get_by_label("What were you doing?").fill("Exporting the household survey raw data.")
    page.get_by_label("What did you expect to happen?").fill("A spreadsheet to download.")
    page.get_by_label("What actually happened?").fill(
        "The progress bar stops at 50% and nothing else happens, even after ten minutes."
    )
    page.get_by_label("Steps to reproduce").fill("1. Data > Export\n2. Household survey\n3. Export")
    page.get_by_label("IMEI").fill("356938035643809")
    shot = tmp_path / "export-stuck.png"
    shot.write_bytes(png_bytes((64, 48)))
    page.get_by_label("Attachments").set_input_files(str(shot))
    snap(page, "contact", "5-filled-in")


def she_reviews_and_sends_it(page) -> Ticket:
    # 6. Review, in the page itself: nothing is sent yet.
    page.get_by_role("button", name="Review my request").click()
    review = page.locator("#page-review")
    review.wait_for()
    summary = page.locator("#page-review-summary").inner_text()
    assert "Export of survey data" in summary
    assert "export-stuck.png" in summary
    assert "356938035643809" in summary
    assert not Ticket.objects.exists()
    snap(page, "contact", "6-review")

    # 7. Send: one request makes the ticket and answers with the reference.
    with page.expect_navigation():
        review.get_by_role("button", name="Send my request").click()
    assert page.url.endswith("/contact/")
    page.locator("#ticket-reference").wait_for()
    ticket = Ticket.objects.get()
    assert page.locator("#ticket-reference").inner_text() == ticket.reference
    assert ticket.product.slug == "akvo-flow"
    assert ticket.product_details == {"imei": "356938035643809"}
    # Named from the browser's User-Agent, which goes with it for engineers.
    assert re.fullmatch(r"HeadlessChrome \d+ on Linux", ticket.environment["computer_browser"])
    assert "AppleWebKit" in ticket.environment["user_agent"]
    assert ticket.messages.get().attachments.get().original_name == "export-stuck.png"
    snap(page, "contact", "7-received")
    return ticket


def she_replies_from_the_emailed_link(page, ticket: Ticket) -> None:
    """8. The email's private link opens the ticket page; the requester replies."""
    deliver_all()
    [ack] = mail.outbox
    link = re.search(r"https?://\S+/t/[A-Za-z0-9_-]{32}/", ack.body).group(0)
    page.goto(link)
    assert ticket.reference in page.content()
    page.get_by_label("Your message").fill("It also happens with the smaller survey.")
    page.get_by_role("button", name="Send message").click()
    page.get_by_text("Thank you, your message was added.").wait_for()
    assert "It also happens with the smaller survey." in page.content()
    snap(page, "contact", "8-replied")
    assert ticket.messages.filter(kind=MessageKind.CUSTOMER).count() == 2


def test_a_person_searches_writes_reviews_submits_and_replies_from_the_email_link(
    page, live_server, settings, tmp_path
):
    settings.PORTAL_MIN_FILL_SECONDS = 0
    settings.SITE_URL = live_server.url
    the_knowledge_base_has_two_flow_articles()
    she_searches_then_contacts_support(page, live_server.url)
    she_picks_flow_and_types_a_subject(page)
    she_describes_the_bug_with_a_screenshot(page, tmp_path)
    ticket = she_reviews_and_sends_it(page)
    she_replies_from_the_emailed_link(page, ticket)


def test_suggestions_come_through_htmx_under_the_content_security_policy(page, live_server):
    publish_article(
        "akvo-flow", "Exporting survey data from the dashboard", "Open **Data > Export**."
    )
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    page.goto(live_server.url + "/contact/")
    page.get_by_label("Subject").press_sequentially("Export survey", delay=20)
    suggestion = page.locator("#suggestions").get_by_role(
        "link", name="Exporting survey data from the dashboard"
    )
    suggestion.wait_for()
    answered = page.locator("#suggestions").get_by_role("button", name="This answered my question")
    assert not answered.is_visible()

    with page.context.expect_page() as opened:
        suggestion.click()
    opened.value.close()
    answered.wait_for()
    answered.click()
    page.wait_for_url(re.compile(r"/contact/answered$"))
    snap(page, "contact", "9-htmx-answered")
    assert refused == []
    from kb.models import SuggestionEvent, SuggestionKind

    answer = SuggestionEvent.objects.get(kind=SuggestionKind.ANSWERED)
    assert (answer.source, answer.query) == ("contact_form", "Export survey")
