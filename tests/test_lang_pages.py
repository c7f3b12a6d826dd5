"""A partner reads the portal in their language: from the address (/fr/, /es/, /pt-br/),
the switcher, else their browser's; remembered in a cookie. Staff read the desk in theirs."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests import factories
from tests.desk_helpers import logged_in, ticket_from
from tickets.models import StaffProfile

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def html_lang(response) -> str:
    text = response.content.decode()
    start = text.index("<html lang=") + len('<html lang="')
    return text[start : text.index('"', start)]


def test_a_french_browser_on_the_home_page_is_sent_to_it_in_french():
    response = Client().get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5")

    assert response.status_code == 302
    assert response["Location"] == "/fr/"
    assert "Accept-Language" in response["Vary"]
    page = Client().get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert page.status_code == 200
    assert html_lang(page) == "fr"
    assert page["Content-Language"] == "fr"


def test_an_english_browser_stays_on_the_unprefixed_addresses_given_out_so_far():
    response = Client().get("/kb/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert reverse("kb:home") == "/kb/"


@pytest.mark.parametrize(
    ("prefix", "language"), [("/es/", "es"), ("/pt-br/", "pt-br"), ("/fr/kb/", "fr")]
)
def test_the_address_prefix_chooses_the_language_whatever_the_browser_says(prefix, language):
    response = Client().get(prefix, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert html_lang(response) == language
    # Its links stay in that language.
    assert f'href="/{language}/kb/"' in response.content.decode()


def test_a_brazilian_browser_asking_for_plain_portuguese_gets_the_brazilian_pages():
    response = Client().get("/kb/?q=export", HTTP_ACCEPT_LANGUAGE="pt")

    assert response["Location"] == "/pt-br/kb/?q=export"


def test_the_switcher_remembers_the_choice_and_shows_the_same_page_in_it():
    client = Client(enforce_csrf_checks=True)
    page = client.get("/kb/")
    assert 'name="next" value="/kb/"' in page.content.decode()
    assert not page.cookies  # the switcher sets no cookie on a page that shows it

    response = client.post("/language/", {"language": "es", "next": "/kb/?q=export"})

    assert response.status_code == 302
    assert response["Location"] == "/es/kb/?q=export"
    assert response.cookies[COOKIE].value == "es"
    assert response.cookies[COOKIE]["samesite"] == "Lax"
    # Remembered: a later visit to an unprefixed page goes to the Spanish one.
    assert client.get("/contact/")["Location"] == "/es/contact/"


def test_switching_back_to_english_beats_the_browsers_french():
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")

    response = client.post("/language/", {"language": "en", "next": "/fr/kb/"})

    assert response["Location"] == "/kb/"
    page = client.get("/kb/")
    assert page.status_code == 200
    assert html_lang(page) == "en"


def test_the_switcher_refuses_another_site_and_an_unknown_language():
    client = Client()

    away = client.post("/language/", {"language": "fr", "next": "https://evil.example/"})
    unknown = client.post("/language/", {"language": "xx", "next": "/kb/"})

    assert away["Location"] == "/fr/"
    assert (unknown["Location"], COOKIE in unknown.cookies) == ("/kb/", False)


def test_a_form_posted_to_an_english_address_is_not_redirected():
    response = Client().post("/t/lost/", {"email": "x@example.org"}, HTTP_ACCEPT_LANGUAGE="fr")

    # Answered where it was sent (a redirect would turn the POST into a GET and lose it).
    assert response.status_code in (200, 302)
    assert not response.get("Location", "").startswith("/fr/")


def test_the_desk_and_the_back_office_have_no_language_prefix():
    agent = factories.l1_agent()
    client = logged_in(agent, HTTP_ACCEPT_LANGUAGE="fr")

    assert client.get("/desk/", follow=True).status_code == 200
    assert client.get("/admin/").status_code in (200, 302)
    assert Client().get("/fr/desk/").status_code == 404
    assert Client().get("/fr/admin/").status_code == 404
    assert reverse("desk:home") == "/desk/"


def test_an_agent_reads_the_desk_in_their_chosen_language_and_the_thread_goes_back_after():
    agent = factories.l1_agent()
    StaffProfile.objects.create(user=agent, language="pt-br")
    client = logged_in(agent)

    response = client.get("/desk/profile/")

    assert html_lang(response) == "pt-br"
    assert response["Content-Language"] == "pt-br"
    assert translation.get_language() == settings.LANGUAGE_CODE


def test_an_agent_chooses_their_language_on_their_profile_page():
    agent = factories.l1_agent()
    client = logged_in(agent)
    page = client.get("/desk/profile/")
    assert 'name="language"' in page.content.decode()

    client.post("/desk/profile/", {"time_zone": "", "language": "fr", "hub": ""})

    assert StaffProfile.objects.get(user=agent).language == "fr"
    assert client.get("/desk/profile/")["Content-Language"] == "fr"


def test_the_workspace_shows_the_language_the_requester_is_written_to_in():
    agent = factories.l1_agent()
    ticket = ticket_from(requester_language="es")

    page = logged_in(agent).get(reverse("desk:ticket", kwargs={"ticket_id": ticket.pk}))

    assert page.context["ticket"].requester.language == "es"
    label = re.search(r'id="requester-language"[^>]*>(.*?)</dd>', page.content.decode())
    assert label is not None
    assert re.sub(r"<[^>]+>", " ", label.group(1)).split() == ["Language:", "Spanish"]
