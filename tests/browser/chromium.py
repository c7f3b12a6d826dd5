"""Debian's Chromium for the browser journeys: where it is, whether to run, screenshots."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(
    os.environ.get("TEST_ARTIFACTS_DIR", str(settings.BASE_DIR / "var" / "test-artifacts"))
)


def without_chromium(found: bool, environ: Mapping[str, str]) -> tuple[str, str] | None:
    """What a browser test does on this machine: None to run, else ("skip" | "fail", why)."""
    if found:
        return None
    missing = f"Chromium is not at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)"
    if environ.get("CI"):
        return "fail", f"{missing}; CI runs the browser tests and never skips them"
    if environ.get("SKIP_BROWSER_TESTS") == "1":
        return "skip", f"{missing}; SKIP_BROWSER_TESTS=1 skips the browser tests"
    return "fail", f"{missing}; set SKIP_BROWSER_TESTS=1 to skip them on this machine"


def new_page(browser, width: int = 1440, height: int = 1000, locale: str | None = None):
    """A page in a fresh context; ``locale`` sets its Accept-Language ("fr-FR")."""
    options = {"locale": locale} if locale else {}
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def snap(page, journey: str, step: str) -> None:
    """Save a screenshot of a step under TEST_ARTIFACTS_DIR (default var/test-artifacts/)."""
    page.screenshot(path=str(ARTIFACTS / f"{journey}-journey-{step}.png"), full_page=True)
