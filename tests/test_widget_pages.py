"""The help widget's pages: framed by the product's sites only, searched, and a short
Contact Us that files the ticket with what the product page said about where the person was."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests import factories
from tests import kb_factories as kb
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

FLOW_SITE = "https://app.akvoflow.org"
WIDGET = "/widget/akvo-flow/"
HELPDESK = "http://testserver"  # the test client's address: the help desk's own origin


@pytest.fixture
def client() -> Client:
    """The widget's frame in a browser, which names the page's origin on each post."""
    return Client(headers={"Origin": HELPDESK})


@pytest.fixture(autouse=True)
def _flow_has_a_widget(settings):
    settings.WIDGET_ALLOWED_ORIGINS = {"akvo-flow": (FLOW_SITE, "https://demo.akvoflow.org")}
    settings.PORTAL_MIN_FILL_SECONDS = 0
    factories.product("akvo-flow")


def frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(part.strip() for part in policy.split(";") if "frame-ancestors" in part)


def widget_form(client, **params):
    return client.get(f"{WIDGET}contact/", params).context["form"]


def request_data(client, **overrides) -> dict[str, object]:
    """A question about Akvo Flow, with what the Flow page passed in, as the form sends it."""
    form = widget_form(client)
    data: dict[str, object] = {
        "submission_key": client.get(f"{WIDGET}contact/").context["submission_key"],
        "started": form.initial["started"],
        "category": factories.category("question").pk,
        "subject": "How do I share a survey with a colleague?",
        "description": "I want Joseph to edit the household survey too.",
        "pd_survey": "Household survey 2026",
        "host_page_url": "https://demo.akvoflow.org/surveys/42",
        "host_app_version": "2.18.1",
        "host_instance": "demo.akvoflow.org",
        "name": "Ana Demo",
        "email": "ana.demo@example.org",
        "website": "",
    }
    data.update(overrides)
    return data


# --- Framing ------------------------------------------------------------------------


def test_the_widget_pages_may_be_framed_by_the_products_sites_only(client):
    for address in (WIDGET, f"{WIDGET}contact/", f"{WIDGET}suggestions?q=export"):
        response = client.get(address)
        assert response.status_code == 200, address
        assert frame_ancestors(response) == f"frame-ancestors {FLOW_SITE} https://demo.akvoflow.org"
        assert "X-Frame-Options" not in response
        assert "no-store" in response["Cache-Control"]


def test_every_other_page_stays_unframeable(client):
    for address in ("/", "/contact/", "/kb/"):
        response = client.get(address)
        assert response["X-Frame-Options"] == "DENY", address
        assert frame_ancestors(response) == "frame-ancestors 'none'"


def test_a_product_without_allowed_origins_has_no_widget(client):
    factories.product("akvo-rsr")
    assert client.get("/widget/akvo-rsr/").status_code == 404
    assert client.get("/widget/akvo-rsr/contact/").status_code == 404
    assert client.get("/widget/no-such-product/").status_code == 404


# --- Search -------------------------------------------------------------------------


def test_a_partner_searches_flows_articles_from_the_widget(client):
    kb.article("Export your survey data", body="Open Data, then Export.")
    kb.article("Export RSR project updates", product="akvo-rsr", body="Export updates.")

    page = client.get(WIDGET, {"q": "export"}).content.decode()
    partial = client.get(f"{WIDGET}suggestions", {"q": "export"}).content.decode()

    for html in (page, partial):
        assert "Export your survey data" in html
        assert "RSR project updates" not in html  # another product's article
        assert 'target="_blank" rel="noopener"' in html
    assert "<html" not in partial


def test_an_internal_article_is_never_suggested_even_to_a_signed_in_agent(client):
    kb.article("Export your survey data (internal notes)", visibility="internal")
    client.force_login(factories.l1_agent())

    page = client.get(WIDGET, {"q": "export"}).content.decode()

    assert "internal notes" not in page


def test_the_widget_speaks_the_language_the_host_asks_for(client):
    page = client.get(WIDGET, {"lang": "fr"})
    assert page.context["LANGUAGE_CODE"] == "fr"
    assert 'lang="fr"' in page.content.decode()
    # A language the site does not have: the browser's (English here).
    assert client.get(WIDGET, {"lang": "tlh"}).context["LANGUAGE_CODE"] == "en"


def test_the_frame_gives_the_product_page_its_name_and_close_word_in_that_language(client):
    # widget-frame.js hands them to widget.js, which has no catalogue of its own.
    for address in (WIDGET, f"{WIDGET}contact/"):
        page = client.get(address, {"lang": "fr"}).content.decode()
        assert 'data-widget-title="Aide pour Akvo Flow"' in page
        assert 'data-widget-close="Fermer"' in page


# --- Contact us ---------------------------------------------------------------------


def test_the_search_words_become_the_subject(client):
    assert widget_form(client, q="export stops").initial["subject"] == "export stops"


def test_a_request_is_reviewed_then_sent_with_the_hosts_context(client):
    data = request_data(client)

    review = client.post(f"{WIDGET}contact/", data)
    assert review.status_code == 200
    assert not Ticket.objects.exists()  # nothing sent before the person confirms
    summary = dict(review.context["summary"])
    assert summary["Page you were on"] == "https://demo.akvoflow.org/surveys/42"
    assert summary["App version"] == "2.18.1"
    assert summary["Instance"] == "demo.akvoflow.org"

    sent = client.post(
        f"{WIDGET}contact/",
        {**review.context["hidden"], "reviewed": "1", "submission_key": data["submission_key"]},
    )

    ticket = Ticket.objects.get()
    assert sent.context["submitted"]["reference"] == ticket.reference
    assert ticket.product.slug == "akvo-flow"
    assert ticket.requester.email == "ana.demo@example.org"
    assert ticket.product_details == {"survey": "Household survey 2026"}
    assert ticket.environment == {
        "page_url": "https://demo.akvoflow.org/surveys/42",
        "app_version": "2.18.1",
        "instance": "demo.akvoflow.org",
    }


def test_confirming_twice_makes_one_ticket(client):
    data = {**request_data(client), "reviewed": "1"}

    first = client.post(f"{WIDGET}contact/", data)
    again = client.post(f"{WIDGET}contact/", data)

    assert Ticket.objects.count() == 1
    assert again.context["submitted"]["reference"] == first.context["submitted"]["reference"]


def test_the_product_is_the_widgets_whatever_the_form_says(client):
    rsr = factories.product("akvo-rsr")
    client.post(f"{WIDGET}contact/", {**request_data(client), "product": rsr.pk, "reviewed": "1"})

    assert Ticket.objects.get().product.slug == "akvo-flow"


def test_the_contact_us_rules_apply(client):
    response = client.post(
        f"{WIDGET}contact/", request_data(client, email="not an address", description="")
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"email", "description"}
    assert not Ticket.objects.exists()


def test_a_page_address_that_is_not_a_web_address_is_refused(client):
    response = client.post(
        f"{WIDGET}contact/", request_data(client, host_page_url="javascript:alert(1)")
    )

    assert "host_page_url" in response.context["form"].errors


def test_a_filled_honeypot_gets_the_thank_you_page_and_no_ticket(client):
    response = client.post(
        f"{WIDGET}contact/",
        {**request_data(client, website="http://spam.example"), "reviewed": "1"},
    )

    assert response.status_code == 200
    assert "submitted" not in response.context
    assert not Ticket.objects.exists()


def test_sent_faster_than_a_person_reads_asks_to_confirm(client, settings):
    settings.PORTAL_MIN_FILL_SECONDS = 60
    response = client.post(f"{WIDGET}contact/", {**request_data(client), "reviewed": "1"})

    assert response.context["confirm"] is True
    assert not Ticket.objects.exists()


def test_the_widget_and_contact_us_share_the_submission_limits(client, settings):
    settings.PORTAL_SUBMISSIONS_PER_EMAIL_PER_HOUR = 1
    client.post(f"{WIDGET}contact/", {**request_data(client), "reviewed": "1"})

    again = client.post(
        f"{WIDGET}contact/",
        {**request_data(client, subject="Another question"), "reviewed": "1"},
    )

    assert again.status_code == 429
    assert Ticket.objects.count() == 1


def test_change_something_shows_the_form_as_typed(client):
    data = request_data(client)
    response = client.post(f"{WIDGET}contact/", {**data, "change": "1"})

    page = response.content.decode()
    assert response.context["form"].initial["host_app_version"] == "2.18.1"
    assert "data-accepts-context" not in page  # the host's context never overwrites edits


# --- Posted from the widget's own page only ---------------------------------------


def a_reviewed_request(client) -> dict[str, object]:
    return {**request_data(client), "reviewed": "1"}


def test_another_site_cannot_make_its_visitors_browsers_file_requests(client):
    # A page on evil.example posts a reviewed request from its visitor's browser.
    data = a_reviewed_request(client)
    elsewhere = Client(headers={"Origin": "https://evil.example"})

    sent = elsewhere.post(f"{WIDGET}contact/", data)
    reviewed = elsewhere.post(f"{WIDGET}contact/", {**data, "reviewed": ""})

    for response in (sent, reviewed):
        assert response.status_code == 403
        assert "We could not accept this form" in response.content.decode()
        assert "Nothing was sent or changed." in response.content.decode()
    assert not Ticket.objects.exists()


def test_the_refusal_is_in_the_widgets_language_and_may_show_in_the_frame(client):
    elsewhere = Client(headers={"Origin": FLOW_SITE})  # even an allowed host page

    refused = elsewhere.post(f"{WIDGET}contact/", {**a_reviewed_request(client), "lang": "fr"})

    assert refused.status_code == 403
    assert "Nous n'avons pas pu accepter ce formulaire" in refused.content.decode()
    assert frame_ancestors(refused) == f"frame-ancestors {FLOW_SITE} https://demo.akvoflow.org"
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {},  # a script that names no page
        {"Origin": "null"},  # a browser that will not say which page
        {"Origin": "https://testserver"},  # our host, but not our scheme
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain is another site's page
    ],
)
def test_a_post_that_does_not_say_it_comes_from_the_help_desk_is_refused(client, headers):
    data = a_reviewed_request(client)

    response = Client(headers=headers).post(f"{WIDGET}contact/", data)

    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_a_browser_that_sends_no_origin_is_believed_on_sec_fetch_site(client):
    data = a_reviewed_request(client)

    sent = Client(headers={"Sec-Fetch-Site": "same-origin"}).post(f"{WIDGET}contact/", data)

    assert sent.status_code == 200
    assert sent.context["submitted"]["reference"] == Ticket.objects.get().reference


def deploy_value(name: str) -> str:
    """A setting as deploy/production.env.example sets it."""
    example = django_settings.BASE_DIR / "deploy" / "production.env.example"
    lines = example.read_text().splitlines()
    return next(line.split("=", 1)[1] for line in lines if line.startswith(f"{name}="))


def test_behind_the_tls_proxy_the_public_https_address_is_the_help_desks(client, settings):
    data = a_reviewed_request(client)
    # As deployed: TLS ends at the proxy, which passes the Host on and says https.
    settings.SECURE_PROXY_SSL_HEADER = tuple(deploy_value("SECURE_PROXY_SSL_HEADER").split(","))
    settings.ALLOWED_HOSTS = deploy_value("ALLOWED_HOSTS").split(",")
    settings.SITE_URL = "http://127.0.0.1:8000"  # not set: the request says who we are
    public = {"Host": "support.example.org", "X-Forwarded-Proto": "https"}

    sent = Client(headers={**public, "Origin": "https://support.example.org"}).post(
        f"{WIDGET}contact/", data
    )

    assert sent.status_code == 200
    assert Ticket.objects.count() == 1


def test_the_public_address_in_site_url_is_the_help_desks_too(client, settings):
    # A proxy that passes its own Host on: SITE_URL still names our origin.
    settings.SITE_URL = "https://support.example.org"
    data = a_reviewed_request(client)

    sent = Client(headers={"Origin": "https://support.example.org"}).post(f"{WIDGET}contact/", data)

    assert sent.status_code == 200
    assert Ticket.objects.count() == 1


# --- The demo page ------------------------------------------------------------------


def test_the_demo_flow_page_embeds_the_widget_from_the_other_origin(client, settings):
    settings.WIDGET_DEMO_PAGE = True
    response = client.get("/widget/demo/akvo-flow/", HTTP_HOST="localhost:8000")

    page = response.content.decode()
    assert 'src="http://127.0.0.1:8000/static/js/widget.js" data-product="akvo-flow"' in page
    assert "frame-src http://127.0.0.1:8000" in response["Content-Security-Policy"]


def test_the_demo_page_plays_a_french_page_when_asked(client, settings):
    settings.WIDGET_DEMO_PAGE = True

    french = client.get("/widget/demo/akvo-flow/", {"lang": "fr"}).content.decode()
    garbage = client.get("/widget/demo/akvo-flow/", {"lang": '"><b>'}).content.decode()

    assert 'data-product="akvo-flow" data-lang="fr" defer></script>' in french
    assert "data-lang" not in garbage


def test_the_demo_page_is_off_unless_asked_for(client, settings):
    settings.WIDGET_DEMO_PAGE = False
    assert client.get("/widget/demo/akvo-flow/").status_code == 404
