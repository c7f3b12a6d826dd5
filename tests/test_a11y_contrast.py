"""The contrast arithmetic the accessibility browser tests rely on, against known values."""

from __future__ import annotations

import pytest

from tests.browser.axe import without_axe
from tests.browser.contrast import contrast, parse

BOOTSTRAP_BLUE = "rgb(13, 110, 253)"


def test_the_reported_navbar_links_were_2_36_to_1_on_the_blue_bar():
    # Bootstrap's navbar-dark links: white at 55 % over #0d6efd, as axe-core measured them.
    assert contrast("rgba(255, 255, 255, 0.55)", BOOTSTRAP_BLUE) == pytest.approx(2.36, abs=0.01)


def test_black_on_white_is_21_to_1_and_order_does_not_matter():
    assert contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)") == pytest.approx(21)
    assert contrast("rgb(255, 255, 255)", "rgb(0, 0, 0)") == pytest.approx(21)


def test_white_on_the_darker_bar_passes_aa_for_text():
    assert contrast("rgba(255, 255, 255, 0.9)", "rgb(10, 88, 202)") >= 4.5
    assert contrast("rgb(255, 255, 255)", "rgb(10, 88, 202)") == pytest.approx(6.44, abs=0.01)


def test_a_fully_transparent_colour_has_no_contrast():
    assert contrast("rgba(255, 255, 255, 0)", BOOTSTRAP_BLUE) == pytest.approx(1)


def test_css_colour_syntaxes_chromium_reports_are_read():
    assert parse("rgb(10, 88, 202)") == ((10, 88, 202), 1.0)
    assert parse("rgba(255, 255, 255, 0.9)") == ((255, 255, 255), 0.9)
    assert parse("rgb(255 255 255 / 50%)") == ((255, 255, 255), 0.5)
    with pytest.raises(ValueError, match="not an rgb"):
        parse("color(srgb 1 1 1)")


def test_without_axe_core_the_audits_skip_locally_and_fail_on_ci():
    assert without_axe(True, {}) is None
    assert without_axe(True, {"CI": "true"}) is None
    action, why = without_axe(False, {})
    assert action == "skip"
    assert "npm ci" in why
    action, why = without_axe(False, {"CI": "true"})
    assert action == "fail"
    assert "never skips" in why
