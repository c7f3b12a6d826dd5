"""Which sites may embed a product's help widget: WIDGET_ALLOWED_ORIGINS, read at start."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from helpdesk.settings_widget import origin_valid, parse_allowed_origins


def test_each_product_gets_its_own_origins():
    allowed = parse_allowed_origins(
        "akvo-flow=https://app.akvoflow.org, https://demo.akvoflow.org:8443/ ;"
        "akvo-rsr=https://rsr.akvo.org"
    )

    assert allowed == {
        "akvo-flow": ("https://app.akvoflow.org", "https://demo.akvoflow.org:8443"),
        "akvo-rsr": ("https://rsr.akvo.org",),
    }


def test_nothing_set_means_no_product_has_a_widget():
    assert parse_allowed_origins("") == {}
    assert parse_allowed_origins(" ; ") == {}


@pytest.mark.parametrize(
    "value",
    [
        "https://app.akvoflow.org",  # no product
        "akvo flow=https://app.akvoflow.org",  # not a slug
        "akvo-flow=",  # no origin
        "akvo-flow=*",
        "akvo-flow=https://*.akvoflow.org",
        "akvo-flow=https://app.akvoflow.org/dashboard",  # a page, not an origin
        "akvo-flow=app.akvoflow.org",  # no scheme
        "akvo-flow=ftp://app.akvoflow.org",
        "akvo-flow=https://user:secret@app.akvoflow.org",
        "akvo-flow=https://app.akvoflow.org:port",
    ],
)
def test_a_malformed_setting_stops_the_start_and_says_what_is_expected(value):
    with pytest.raises(ImproperlyConfigured, match="WIDGET_ALLOWED_ORIGINS"):
        parse_allowed_origins(value)


def test_origins_are_what_browsers_send():
    assert origin_valid("http://localhost:8000")
    assert origin_valid("https://rsr.akvo.org")
    assert not origin_valid("https://rsr.akvo.org/")
    assert not origin_valid("https://rsr.akvo.org?x=1")
    assert not origin_valid("null")
