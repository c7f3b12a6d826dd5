"""Contact Us asks the kind of request first and shows only what it needs, on a phone too.

The page is measured at 390 x 844 for each kind (scroll height over the viewport's);
the numbers are written to ``TEST_ARTIFACTS_DIR/contact-form-length.json``.
"""

from __future__ import annotations

import json

import pytest

from tests import factories
from tests.browser.chromium import ARTIFACTS, new_page, snap

# Any database: what the browser shows and does is the same on any engine (no search
# whose results differ between them: those journeys run on both). CI runs it once, on
# PostgreSQL (.ci/run).
pytestmark = [
    pytest.mark.database_agnostic,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
KINDS = {"Bug": "bug", "Question": "question", "Feature request": "feature"}
# What each kind shows of the parts that depend on it.
SHOWN = {
    "bug": {"bug-fields", "product-fields", "device-fields"},
    "question": {"product-fields"},
    "feature": {"feature-fields"},
}
PARTS = ("bug-fields", "feature-fields", "product-fields", "device-fields")
# Phone screens (page height over viewport height), before issue 19: 4.86 for a bug,
# 4.03 for a question or a feature request (Akvo Flow chosen); after it 4.21, 3.18 and 2.73.
AT_MOST_SCREENS = {"bug": 4.3, "question": 3.3, "feature": 2.85}


@pytest.fixture
def page(browser, live_server):
    factories.product("akvo-flow")
    page = new_page(browser, **PHONE)
    page.goto(live_server.url + "/contact/")
    yield page
    page.context.close()


def shown_parts(page) -> set[str]:
    return {part for part in PARTS if page.locator(f"#{part}").is_visible()}


def screens(page) -> float:
    return page.evaluate("document.documentElement.scrollHeight / window.innerHeight")


def form_screens(page) -> float:
    """The form alone (without the page's header, asides and footer)."""
    return page.evaluate(
        "document.getElementById('contact-form').getBoundingClientRect().height"
        " / window.innerHeight"
    )


def test_before_a_kind_is_chosen_only_the_common_questions_show(page):
    assert page.get_by_role("radio").first.is_visible()
    assert shown_parts(page) == set()
    assert page.get_by_label("Subject").is_visible()
    assert page.get_by_label("Describe your request").is_visible()
    # The kind is the first thing the form asks.
    first = page.locator("#contact-form input:not([type=hidden]), #contact-form select").first
    assert first.get_attribute("name") == "category"


def test_each_kind_shows_its_own_questions_at_once_without_reloading(page):
    page.get_by_label("Product").select_option(label="Akvo Flow")
    # Flow's own fields arrive by htmx; until then their part has nothing to show.
    page.get_by_label("IMEI").wait_for(state="attached")
    page.evaluate("window.stillTheSamePage = true")
    for label, kind in KINDS.items():
        page.get_by_label(label, exact=True).check()
        assert shown_parts(page) == SHOWN[kind], kind
    assert page.evaluate("window.stillTheSamePage") is True

    page.get_by_label("Question", exact=True).check()
    assert page.get_by_label("Your question", exact=True).is_visible()
    assert not page.get_by_text("Anything the questions above do not cover").is_visible()
    assert page.get_by_label("IMEI").is_visible()
    assert not page.get_by_label("Computer and browser").is_visible()

    page.get_by_label("Feature request", exact=True).check()
    assert page.get_by_label("What problem would it solve?").is_visible()
    assert page.get_by_label("Who needs it?").is_visible()
    assert page.get_by_label("Describe your idea").is_visible()


def test_the_review_in_the_page_lists_only_what_the_kind_asks_for(page):
    page.get_by_label("Product").select_option(label="Akvo Flow")
    page.get_by_label("Bug", exact=True).check()
    page.get_by_label("What were you doing?").fill("Exporting the household survey.")
    page.get_by_label("Feature request", exact=True).check()
    page.get_by_label("Your name").fill("Amina Odhiambo")
    page.get_by_label("Email address").fill("amina@partner.example.org")
    page.get_by_label("Subject").fill("Export to Parquet")
    page.get_by_label("Describe your idea").fill("Let the dashboard export Parquet files.")
    page.get_by_label("What problem would it solve?").fill("Our analysts convert CSV by hand.")

    page.get_by_role("button", name="Review my request").click()
    summary = page.locator("#page-review-summary").inner_text()

    assert "Describe your idea" in summary
    assert "Our analysts convert CSV by hand." in summary
    assert "Exporting the household survey." not in summary
    assert "Computer and browser" not in summary


def test_a_phone_scrolls_fewer_screens_for_each_kind(page):
    page.get_by_label("Product").select_option(label="Akvo Flow")
    measured = {"none": screens(page)}
    form_only = {"none": form_screens(page)}
    for label, kind in KINDS.items():
        page.get_by_label(label, exact=True).check()
        measured[kind] = screens(page)
        form_only[kind] = form_screens(page)
        snap(page, "contact-form", f"phone-{kind}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), kind
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    lengths = {"page": measured, "form": form_only}
    (ARTIFACTS / "contact-form-length.json").write_text(json.dumps(lengths, indent=1))

    for kind, most in AT_MOST_SCREENS.items():
        assert measured[kind] <= most, measured
    assert measured["question"] < measured["bug"]
    assert measured["feature"] < measured["bug"]
