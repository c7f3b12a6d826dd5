"""Reading the knowledge base and the taxonomy through the API, as an integration does."""

from __future__ import annotations

import pytest

from kb.models import Status, Visibility
from tests import factories
from tests import kb_factories as kb
from tests.api_helpers import api_token, bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    return bearer(api_token(("kb:read",)))


def test_the_flow_widget_lists_the_products_with_their_translations(client, reader):
    response = client.get("/api/v1/taxonomy/products", headers=reader)

    assert response.status_code == 200
    products = response.json()["items"]
    flow = next(p for p in products if p["slug"] == "akvo-flow")
    assert flow["name"] == "Akvo Flow"
    assert isinstance(flow["translations"], dict)
    assert [p["position"] for p in products] == sorted(p["position"] for p in products)


@pytest.mark.parametrize("path", ["products", "categories", "impacts", "issue-tags"])
def test_every_taxonomy_list_pages_through_with_a_next_link_at_the_same_cost(
    client, reader, path, django_assert_max_num_queries
):
    everything = client.get(f"/api/v1/taxonomy/{path}?limit=200", headers=reader).json()
    assert everything["next"] is None
    seen, url = [], f"/api/v1/taxonomy/{path}?limit=1"
    while url:
        with django_assert_max_num_queries(3):  # token, its last use, the page
            page = client.get(url, headers=reader).json()
        seen += [item["slug"] for item in page["items"]]
        url = page["next"]
    assert seen == [item["slug"] for item in everything["items"]]
    assert len(seen) >= 2


def test_a_token_reads_published_public_articles_only(client, reader):
    public = kb.article("Export your data")
    kb.article("Restart the sync server", visibility=Visibility.INTERNAL)
    kb.article("Unfinished draft", status=Status.DRAFT)

    items = client.get("/api/v1/kb/articles", headers=reader).json()["items"]

    assert [a["title"] for a in items] == ["Export your data"]
    assert items[0]["product"] == "akvo-flow"
    assert items[0]["url"] == public.get_absolute_url()


def test_a_signed_in_agent_reads_internal_articles_too(client):
    kb.article("Export your data")
    kb.article("Restart the sync server", visibility=Visibility.INTERNAL)
    client.force_login(factories.l2_engineer())

    items = client.get("/api/v1/kb/articles").json()["items"]

    assert {a["title"] for a in items} == {"Export your data", "Restart the sync server"}


def test_articles_filter_by_product_section_and_language(client, reader):
    flow = kb.article("Export your data")
    kb.translation(flow, "Exporter vos données")
    other = kb.section("akvo-rsr", slug="projects", title="Projects")
    kb.article("Publish a project", product="akvo-rsr", in_section=other)

    def titles(query: str) -> list[str]:
        return [
            a["title"]
            for a in client.get(f"/api/v1/kb/articles?{query}", headers=reader).json()["items"]
        ]

    assert titles("product=akvo-rsr") == ["Publish a project"]
    assert titles(f"section={other.pk}") == ["Publish a project"]
    assert titles("language=fr") == ["Exporter vos données"]
    assert titles("product=akvo-flow&language=en") == ["Export your data"]


def test_articles_page_at_a_constant_number_of_queries(
    client, reader, django_assert_max_num_queries
):
    for n in range(7):
        kb.article(f"Article number {n}")
    url, titles = "/api/v1/kb/articles?limit=3", []
    while url:
        with django_assert_max_num_queries(3):
            page = client.get(url, headers=reader).json()
        titles += [a["title"] for a in page["items"]]
        url = page["next"]
    assert len(titles) == 7 == len(set(titles))


def test_one_article_comes_with_its_body_and_a_hidden_one_is_not_found(client, reader):
    article = kb.article("Export your data", body="Open **Data > Export**.")
    internal = kb.article("Restart the sync server", visibility=Visibility.INTERNAL)

    found = client.get(f"/api/v1/kb/articles/{article.pk}", headers=reader)
    hidden = client.get(f"/api/v1/kb/articles/{internal.pk}", headers=reader)
    missing = client.get("/api/v1/kb/articles/999999", headers=reader)

    assert found.status_code == 200
    assert "<strong>Data &gt; Export</strong>" in found.json()["body_html"]
    assert hidden.status_code == missing.status_code == 404
    assert {**hidden.json(), "instance": ""} == {**missing.json(), "instance": ""}


def test_sections_list_by_product(client, reader):
    kb.section("akvo-flow")
    kb.section("akvo-rsr", slug="projects", title="Projects")

    items = client.get("/api/v1/kb/sections?product=akvo-rsr", headers=reader).json()["items"]

    assert [(s["product"], s["title"]) for s in items] == [("akvo-rsr", "Projects")]


def test_a_french_partner_searches_and_finds_the_french_article_first(client, reader):
    flow = kb.article("Export your survey data", body="Open the dashboard and choose Export.")
    kb.translation(flow, "Exporter les données d'enquête")
    kb.article("Install the app", body="Download it from the store.")

    response = client.get("/api/v1/kb/search?q=exporter&language=fr", headers=reader)

    body = response.json()
    assert response.status_code == 200
    assert body["language"] == "fr"
    assert body["results"][0]["article"]["title"] == "Exporter les données d'enquête"
    assert body["results"][0]["fallback"] is False


def test_search_by_product_and_an_unknown_product_finds_nothing(client, reader):
    kb.article("Export your data")

    flow = client.get("/api/v1/kb/search?q=export&product=akvo-flow", headers=reader).json()
    unknown = client.get("/api/v1/kb/search?q=export&product=nope", headers=reader).json()

    assert [r["article"]["title"] for r in flow["results"]] == ["Export your data"]
    assert unknown["results"] == []
