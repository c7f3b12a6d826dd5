"""What both browser journeys share: Debian's Chromium driven by Playwright, the same way.

Where Chromium is missing the journeys fail and say how to install it. A person
whose machine cannot have it may set ``SKIP_BROWSER_TESTS=1`` to skip them; on
CI (``CI`` set) nothing skips: the journeys are part of what CI proves.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from django.db import connections

from tests.browser.chromium import ARTIFACTS, CHROMIUM, without_chromium


@pytest.fixture(autouse=True)
def _chromium_is_there() -> None:
    outcome = without_chromium(bool(shutil.which(CHROMIUM)), os.environ)
    if outcome is None:
        return
    action, why = outcome
    if action == "skip":
        pytest.skip(why)
    pytest.fail(why, pytrace=False)


@pytest.fixture
def browser(_chromium_is_there, live_server, monkeypatch) -> Iterator:
    """A headless Chromium for one test; the live server answers it."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test
    # makes between browser steps are plain synchronous ones. Set for this test only,
    # so that no other test (e.g. the deploy check's subprocess) inherits it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        try:
            yield chromium
        finally:
            # With Playwright's loop running, Django keeps this test's connections in
            # the loop's context, not the thread's: close them here, in that context,
            # or the session outlives the test and the test database cannot be dropped.
            connections.close_all()
            chromium.close()
