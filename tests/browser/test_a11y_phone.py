"""On a 390 by 844 phone no public page scrolls sideways.

A partner in the field opens the portal on a phone: the pages, the knowledge base
(including an article with a long command, a wide table, a wide screenshot and a
long address), Contact Us with its errors and review, the ticket page and the 404
page all fit the screen's width; what is too wide wraps inside its own box. When a
page does overflow, the failure names the elements that stick out.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.a11y_site import a_small_site, public_paths
from tests.browser.chromium import new_page, snap

# Any database: what the browser shows and does is the same on any engine (no search
# whose results differ between them: those journeys run on both). CI runs it once, on
# PostgreSQL (.ci/run).
pytestmark = [
    pytest.mark.database_agnostic,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}

# The outermost elements that stick out past the screen's right edge, named like CSS.
OVERFLOW = """() => {
    const width = window.innerWidth;
    if (document.documentElement.scrollWidth <= width) { return null; }
    const right = e => e.getBoundingClientRect().right;
    const wide = Array.from(document.body.querySelectorAll("*")).filter(e => right(e) > width + 0.5
        && (!e.parentElement || right(e.parentElement) <= width + 0.5));
    const named = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
        + (e.className ? "." + String(e.className).trim().split(/\\s+/).join(".") : "");
    return {scrollWidth: document.documentElement.scrollWidth, width: width,
            wide: wide.slice(0, 5).map(e => `${named(e)} (right edge ${Math.round(right(e))} px)`)};
}"""


def sideways(page) -> str | None:
    found = page.evaluate(OVERFLOW)
    if found is None:
        return None
    return (
        f"{found['scrollWidth']} px wide on a {found['width']} px screen; "
        f"sticking out: {', '.join(found['wide'])}"
    )


def test_no_public_page_scrolls_sideways_on_a_390_px_phone(browser, live_server):
    site = a_small_site()
    page = new_page(browser, **PHONE)
    overflowing: dict[str, str] = {}

    def check(name: str) -> None:
        snap(page, "phone", re.sub(r"[^a-z0-9]+", "-", name.lower()))
        found = sideways(page)
        if found:
            overflowing[name] = found

    for name, path in public_paths(site).items():
        page.goto(live_server.url + path)
        check(name)

    # Contact Us sent empty (its error summary) and then at its review in the page.
    page.goto(live_server.url + public_paths(site)["Contact Us"])
    page.get_by_role("button", name="Review my request").click()
    page.locator("#page-review").wait_for()
    check("Contact Us review of an empty form")
    with page.expect_navigation():
        page.locator("#page-review-send").click()
    page.locator("#form-errors").wait_for()
    check("Contact Us with errors")

    assert not overflowing, "\n".join(f"{name}: {why}" for name, why in overflowing.items())
