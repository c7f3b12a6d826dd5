"""The top bars read clearly and show where the keyboard is, in the colours the browser draws.

A partner tabbing through the portal's blue bar, or an agent through the desk's dark
one, sees a ring around each link, button and field in turn; every link's text reads
at 4.5:1 against the bar and every ring at 3:1 (WCAG 2.1 1.4.3 and 1.4.11). Colours
are read from the page as rendered (``getComputedStyle``), translucent ones blended.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.browser.a11y_site import an_l1_agent
from tests.browser.chromium import new_page
from tests.browser.contrast import contrast

# Any database: what the browser shows and does is the same on any engine (no search
# whose results differ between them: those journeys run on both). CI runs it once, on
# PostgreSQL (.ci/run).
pytestmark = [
    pytest.mark.database_agnostic,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
MOST_STOPS = 20

FOCUSED = """() => {
    const element = document.activeElement;
    const bar = element && element.closest("nav.navbar");
    if (!bar) { return null; }
    const style = getComputedStyle(element);
    return {
        name: (element.textContent || element.getAttribute("aria-label")
               || element.getAttribute("placeholder") || element.tagName).trim(),
        outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
        outlineColor: style.outlineColor, bar: getComputedStyle(bar).backgroundColor};
}"""

LINKS = """() => Array.from(document.querySelectorAll("nav.navbar a"))
    .filter(link => link.offsetParent !== null)
    .map(link => ({name: link.textContent.trim(), color: getComputedStyle(link).color,
                   bar: getComputedStyle(link.closest("nav.navbar")).backgroundColor}))"""


def weak_links(page) -> list[str]:
    return [
        f"{link['name']!r}: {contrast(link['color'], link['bar']):.2f}:1"
        for link in page.evaluate(LINKS)
        if contrast(link["color"], link["bar"]) < 4.5
    ]


def focus_stops_in_the_bar(page) -> list[dict]:
    """Tab from the top of the page until the focus has gone through the bar and left it."""
    page.locator("body").focus()
    stops: list[dict] = []
    for _ in range(MOST_STOPS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None and stops:
            break
        if focused is not None:
            stops.append(focused)
    return stops


def invisible_rings(stops: list[dict]) -> list[str]:
    return [
        f"{stop['name']!r}: outline {stop['outlineStyle']} {stop['outlineWidth']}px "
        f"{stop['outlineColor']} on {stop['bar']}"
        for stop in stops
        if stop["outlineStyle"] in ("none", "hidden")
        or stop["outlineWidth"] < 2
        or contrast(stop["outlineColor"], stop["bar"]) < 3
    ]


def check_the_bar(page, where: str) -> int:
    assert not weak_links(page), f"{where}: links below 4.5:1 on the bar: {weak_links(page)}"
    stops = focus_stops_in_the_bar(page)
    assert len(stops) >= 2, f"{where}: the keyboard never reached the bar"
    assert not invisible_rings(stops), f"{where}: focus not visible: {invisible_rings(stops)}"
    return len(stops)


def test_the_portal_and_desk_bars_read_clearly_and_show_keyboard_focus(browser, live_server):
    an_l1_agent()
    page = new_page(browser, width=1280, height=900)

    for path in (reverse("portal:home"), reverse("kb:home"), reverse("portal:contact")):
        page.goto(live_server.url + path)
        check_the_bar(page, path)

    page.goto(live_server.url + reverse("desk:home"))
    page.wait_for_url(re.compile(r"/admin/login/"))
    page.get_by_label("Username").fill("amina.agent")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/desk/queues/"))
    # Brand, six links, shortcuts, profile, log out: every stop shows its ring.
    assert check_the_bar(page, "desk queue") >= 8
