"""The API's interactive docs in a real browser: our static files, under our CSP.

An integrator opens /api/v1/docs/, sees every operation listed, and the page
loads nothing from elsewhere and breaks none of the Content Security Policy.
"""

from __future__ import annotations

import pytest

from tests.browser.chromium import new_page, snap

# Any database: what the browser shows and does is the same on any engine (no search
# whose results differ between them: those journeys run on both). CI runs it once, on
# PostgreSQL (.ci/run).
pytestmark = [
    pytest.mark.database_agnostic,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_integrator_reads_the_api_docs_with_nothing_refused_or_fetched_elsewhere(
    browser, live_server
):
    page = new_page(browser)
    refused: list[str] = []
    elsewhere: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on(
        "request",
        lambda request: (
            elsewhere.append(request.url)
            if not request.url.startswith(live_server.url) and not request.url.startswith("data:")
            else None
        ),
    )

    page.goto(live_server.url + "/api/v1/docs/")
    page.get_by_text("/api/v1/kb/search").first.wait_for()

    assert page.get_by_text("/api/v1/taxonomy/products").first.is_visible()
    snap(page, "api", "1-docs")
    assert refused == []
    assert elsewhere == []
    page.context.close()
