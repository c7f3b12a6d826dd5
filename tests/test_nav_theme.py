"""The site's look from settings: a favicon everywhere, and a small theme (name, logo,
primary colour) that, left unset, keeps the pages exactly as they were.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from helpdesk.theme import contrast_with_white, theme_color
from tests import factories

pytestmark = pytest.mark.django_db

FAVICON = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'


@pytest.fixture
def akvo_theme(settings):
    settings.HELPDESK_SITE_NAME = "Akvo Support"
    settings.HELPDESK_LOGO_URL = "/static/brand/akvo.svg"
    settings.HELPDESK_PRIMARY_COLOR = "#1a5c3e"


def test_public_pages_and_the_desk_carry_the_favicon(client):
    assert FAVICON in client.get("/").content.decode()
    client.force_login(factories.l1_agent())
    assert FAVICON in client.get("/desk/", follow=True).content.decode()


def test_the_favicon_is_served_and_favicon_ico_leads_to_it(client):
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content)

    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"


def test_unset_the_pages_look_as_they_always_did(client):
    page = client.get("/").content.decode()

    assert "<title>Support</title>" in page
    assert re.search(r'class="navbar-brand[^"]*" href="/">Support</a>', page)
    assert "<style" not in page  # Bootstrap's blue, from the stylesheet alone
    assert '<img class="site-logo"' not in page


def test_a_site_sets_its_name_logo_and_colour(client, akvo_theme):
    response = client.get("/kb/")

    page = response.content.decode()
    assert '<img class="site-logo" src="/static/brand/akvo.svg" alt="">Akvo Support</a>' in page
    assert "--bs-primary: #1a5c3e; --bs-primary-rgb: 26, 92, 62;" in page
    assert '<meta name="theme-color" content="#1a5c3e">' in page
    # The colour is in a style element the Content-Security-Policy lets through.
    nonce = re.search(r'<style nonce="([^"]+)">', page).group(1)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


def test_the_500_page_wears_the_theme_too(akvo_theme):
    browser = Client(raise_request_exception=False)
    with mock.patch("helpdesk.views.redirect", side_effect=RuntimeError("a bug")):
        response = browser.get("/signed-in/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "Akvo Support</a>" in page
    nonce = re.search(r'<style nonce="([^"]+)">', page).group(1)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("value", ["green", "#1a5c3e; } body { display: none", "1a5c3e"])
def test_a_colour_that_is_not_a_hex_colour_stops_the_site_at_start(value):
    with pytest.raises(ImproperlyConfigured, match="must be a hex colour"):
        theme_color(value)


def test_a_colour_too_light_for_the_white_navigation_text_stops_the_site_at_start():
    with pytest.raises(ImproperlyConfigured, match="too light"):
        theme_color("#f0ad4e")  # 2.0:1 with white


def test_bootstraps_blue_and_short_hex_colours_are_accepted():
    assert contrast_with_white("#0d6efd") >= 4.5
    assert theme_color(" #0D6EFD ") == "#0d6efd"
    assert theme_color("#036") == "#036"
    assert theme_color("") == ""


def test_the_site_does_not_start_with_a_colour_white_text_cannot_be_read_on(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPDESK_")}
    env.update(
        DJANGO_SETTINGS_MODULE="helpdesk.settings",
        DEBUG="true",
        HELPDESK_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        HELPDESK_PRIMARY_COLOR="#ffd700",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "HELPDESK_PRIMARY_COLOR #ffd700 is too light" in result.stderr
