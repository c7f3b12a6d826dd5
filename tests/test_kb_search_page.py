"""A search that finds nothing never dead-ends: the most read articles and Contact Us, prefilled."""

from __future__ import annotations

import html
import re

import pytest

from kb.models import Article, Visibility
from tests import kb_factories as kb

pytestmark = pytest.mark.django_db


def read(article: Article, times: int) -> None:
    Article.objects.filter(pk=article.pk).update(view_count=times)


@pytest.fixture
def library():
    articles = {
        "sync": kb.article("Sync a device", body="Connect to the server.", product="akvo-flow"),
        "forms": kb.article("Publish a form", body="Choose Publish.", product="akvo-flow"),
        "dashboard": kb.article("Build a dashboard", body="Add charts.", product="akvo-lumen"),
        "internal": kb.article(
            "Agents: restart the sync service",
            body="Only for staff.",
            product="akvo-flow",
            visibility=Visibility.INTERNAL,
        ),
    }
    read(articles["sync"], 40)
    read(articles["forms"], 12)
    read(articles["dashboard"], 90)
    read(articles["internal"], 500)
    return articles


def most_read_titles(page: str) -> list[str]:
    section = page.split('id="kb-most-read"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<a href="/kb/[^"]+">([^<]+)</a>', section)


def contact_links(page: str) -> list[str]:
    """Links to Contact Us that carry the search (the navigation's own carries none)."""
    links = [html.unescape(href) for href in re.findall(r'href="(/contact/[^"]*)"', page)]
    return [link for link in links if "q=" in link]


def test_a_product_search_with_no_results_offers_that_products_most_read_articles(client, library):
    page = client.get(
        "/kb/search/", {"q": "quantum teleportation", "product": "akvo-flow"}
    ).content.decode()

    assert "No articles match" in page
    assert most_read_titles(page) == ["Sync a device", "Publish a form"]


def test_without_a_product_the_most_read_of_every_product_are_offered(client, library):
    page = client.get("/kb/search/", {"q": "quantum teleportation"}).content.decode()

    assert most_read_titles(page) == ["Build a dashboard", "Sync a device", "Publish a form"]


def test_staff_see_internal_articles_among_the_most_read(admin_client, library):
    page = admin_client.get("/kb/search/", {"q": "quantum teleportation"}).content.decode()

    assert most_read_titles(page)[0] == "Agents: restart the sync service"


def test_contact_us_carries_the_product_and_the_search_into_the_form(client, library):
    page = client.get(
        "/kb/search/", {"q": "teleport données & co", "product": "akvo-flow"}
    ).content.decode()

    (link,) = contact_links(page)
    assert link == "/contact/?product=akvo-flow&q=teleport+donn%C3%A9es+%26+co"
    assert ">Contact Us</a>" in page

    form = client.get(link).content.decode()
    assert re.search(r'name="subject"[^>]*value="teleport données &amp; co"', form)
    assert re.search(r'<option value="\d+" selected>Akvo Flow</option>', form)


def test_contact_us_without_a_product_carries_the_search_alone(client, library):
    page = client.get("/kb/search/", {"q": "quantum"}).content.decode()

    assert contact_links(page) == ["/contact/?q=quantum"]


def test_a_search_with_results_still_offers_contact_us_below_them(client, library):
    page = client.get("/kb/search/", {"q": "dashboard"}).content.decode()

    assert "Build a dashboard" in page
    assert 'id="kb-most-read"' not in page
    assert contact_links(page) == ["/contact/?q=dashboard"]


def test_a_misspelled_search_page_says_the_titles_are_similar(client, library):
    page = client.get("/kb/search/", {"q": "dashbord"}).content.decode()

    assert "these have similar titles" in page
    assert "Build a dashboard" in page


def test_the_no_results_page_costs_a_bounded_number_of_queries(
    client, library, django_assert_max_num_queries
):
    for n in range(30):
        read(kb.article(f"Field guide {n}", body="Collect data.", product="akvo-flow"), n)

    # Products, at most three for the search (a fourth on SQLite to build the index
    # after a change), and one for the most read: whatever the number of articles.
    with django_assert_max_num_queries(6):
        page = client.get("/kb/search/", {"q": "quantum teleportation", "product": "akvo-flow"})

    assert len(most_read_titles(page.content.decode())) == 5
