"""The public knowledge base pages, feedback, the suggestion endpoint and its click-through."""

from __future__ import annotations

import time
from unittest import mock

import pytest

from kb import services
from kb.models import ArticleVote, Status, SuggestionEvent, SuggestionKind, Visibility
from kb.tracking import VISITOR_COOKIE, click_url
from tests import factories
from tests import kb_factories as kb
from tests.test_kb_search import BAD_QUERIES

pytestmark = pytest.mark.django_db

MAX_QUERIES = 6


@pytest.fixture
def export():
    return kb.article(
        "Export your data",
        summary="Download survey responses as a spreadsheet.",
        body="## Start an export\n\nOpen **Data, Export reports**.",
        tags="data export, excel",
    )


@pytest.fixture
def many_articles(export):
    """Enough rows in every list that a per-row query would show."""
    sections = [kb.section("akvo-flow", f"s{n}", f"Section {n}") for n in range(4)]
    for n in range(24):
        kb.article(f"Flow guide {n}", body="Export and sync.", in_section=sections[n % 4])
    for n in range(6):
        kb.article(f"Lumen guide {n}", body="Dashboards.", product="akvo-lumen")
    kb.article("Agents only", body="Internal export notes.", visibility=Visibility.INTERNAL)
    return export


def staff_client(client):
    client.force_login(factories.l1_agent())
    return client


PAGES = [
    "/kb/",
    "/kb/akvo-flow/",
    "/kb/akvo-flow/sections/data/",
    "/kb/akvo-flow/articles/export-your-data/",
    "/kb/search/?q=export",
    "/kb/search/?q=exprot+zzzz&product=akvo-flow",
    "/kb/suggest?q=export&record=1",
]
# What each page must show of ``many_articles``: a page that lists nothing would
# pass a query bound, so the bound tests check the rows are there.
SHOWN = {
    "/kb/": ["Akvo Flow", "Akvo Lumen", "Export your data"],
    "/kb/akvo-flow/": ["Section 0", "Section 3", "Flow guide 0", "Flow guide 23"],
    "/kb/akvo-flow/sections/data/": ["Export your data"],
    "/kb/akvo-flow/articles/export-your-data/": ["Export your data", "Start an export"],
    "/kb/search/?q=export": ["Export your data", "Flow guide"],
    "/kb/search/?q=exprot+zzzz&product=akvo-flow": ["exprot zzzz"],
    "/kb/suggest?q=export&record=1": ["Export your data", "Flow guide"],
}


@pytest.mark.parametrize("staff", [False, True], ids=["visitors", "staff"])
@pytest.mark.parametrize("url", PAGES)
def test_kb_pages_use_at_most_six_queries_and_show_their_rows(
    client, many_articles, url, staff, django_assert_max_num_queries
):
    if staff:
        staff_client(client)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert [text for text in SHOWN[url] if text not in page] == []
    if not staff or "q=export" in url:
        assert ("Agents only" in page) == staff  # staff also find internal articles


def test_the_kb_home_lists_products_with_articles_and_has_a_search_box(client, export):
    kb.article("Build a dashboard", product="akvo-lumen")

    page = client.get("/kb/").content.decode()

    assert "Akvo Flow" in page
    assert "Akvo Lumen" in page
    assert "Akvo RSR" not in page.split("Most read")[0]  # no articles yet
    assert 'action="/kb/search/"' in page


def test_an_article_page_shows_breadcrumbs_update_date_tags_and_related(client, export):
    kb.article("Clean your data", body="Fix columns.")
    kb.article("Build a dashboard", product="akvo-lumen")

    response = client.get(export.get_absolute_url())

    page = response.content.decode()
    assert '<a href="/kb/akvo-flow/">Akvo Flow</a>' in page
    assert '<a href="/kb/akvo-flow/sections/data/">Data and exports</a>' in page
    assert "Updated on" in page
    assert "<h2>Start an export</h2>" in page
    assert "data export" in page
    related = page.split("Related articles")[1]
    assert "Clean your data" in related
    assert "Build a dashboard" not in related  # another product
    assert 'name="q"' in page


def test_reading_an_article_counts_a_view_but_staff_reading_does_not(client, export):
    client.get(export.get_absolute_url())
    client.get(export.get_absolute_url())
    staff_client(client).get(export.get_absolute_url())

    export.refresh_from_db()
    assert export.view_count == 2


def test_drafts_and_internal_articles_are_404_for_the_public_and_visible_to_staff(client):
    draft = kb.article("Coming soon", status=Status.DRAFT)
    internal = kb.article("Agent notes", visibility=Visibility.INTERNAL)
    archived = kb.article("Old way", status=Status.ARCHIVED)

    for article in (draft, internal, archived):
        assert client.get(article.get_absolute_url()).status_code == 404

    staff_client(client)
    preview = client.get(draft.get_absolute_url())
    assert preview.status_code == 200
    assert "only staff can see it" in preview.content.decode()
    assert client.get(internal.get_absolute_url()).status_code == 200


def test_lists_never_show_the_public_drafts_or_internal_articles(client, export):
    kb.article("Coming soon", status=Status.DRAFT)
    kb.article("Agent notes", visibility=Visibility.INTERNAL)

    for url in ("/kb/", "/kb/akvo-flow/", "/kb/akvo-flow/sections/data/"):
        page = client.get(url).content.decode()
        assert "Export your data" in page
        assert "Coming soon" not in page
        assert "Agent notes" not in page


@pytest.mark.parametrize(
    "url",
    [
        "/kb/no-such-product/",
        "/kb/akvo-flow/sections/no-such-section/",
        "/kb/akvo-flow/articles/no-such-article/",
        "/kb/akvo-lumen/articles/export-your-data/",  # right slug, wrong product
        "/kb/go/not-a-real-token/",
        "/kb/images/../../etc/passwd",
        "/kb/images/0123456789abcdef0123456789abcdef.png",
    ],
)
def test_unknown_addresses_are_a_clear_404(client, export, url):
    assert client.get(url).status_code == 404


def test_a_visitor_says_the_article_helped_once_and_can_change_their_mind(client, export):
    url = f"{export.get_absolute_url()}feedback/"

    first = client.post(url, {"helpful": "no", "comment": "Where is the Data menu?"})
    second = client.post(url, {"helpful": "yes"}, follow=True)

    assert first.status_code == 302
    assert first.cookies[VISITOR_COOKIE]["httponly"]
    assert "Thank you" in second.content.decode()
    vote = ArticleVote.objects.get()
    assert vote.helpful is True
    assert vote.comment == "Where is the Data menu?"
    assert vote.visitor_key != client.cookies[VISITOR_COOKIE].value


def test_another_visitor_gets_their_own_vote(client, export, django_user_model):
    from django.test import Client

    url = f"{export.get_absolute_url()}feedback/"
    client.post(url, {"helpful": "yes"})
    Client().post(url, {"helpful": "no"})

    assert ArticleVote.objects.filter(article=export).count() == 2


def test_feedback_without_a_choice_is_refused_with_a_message_and_keeps_the_comment(client, export):
    response = client.post(
        f"{export.get_absolute_url()}feedback/", {"comment": "Half written thought"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose yes or no." in page
    assert "Half written thought" in page
    assert not ArticleVote.objects.exists()


def test_a_draft_takes_no_votes(client):
    draft = kb.article("Coming soon", status=Status.DRAFT)
    staff_client(client)

    response = client.post(f"{draft.get_absolute_url()}feedback/", {"helpful": "yes"})

    assert response.status_code == 404
    assert not ArticleVote.objects.exists()


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_the_search_page_survives_any_input(client, export, query):
    response = client.get("/kb/search/", {"q": query, "product": query[:80]})

    assert response.status_code == 200


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_the_suggestion_endpoint_survives_any_input(client, export, query):
    response = client.get("/kb/suggest", {"q": query, "product": query[:80], "limit": query[:5]})

    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)


def test_a_search_with_no_results_says_so_and_points_to_support(client, export):
    page = client.get("/kb/search/", {"q": "quantum teleportation"}).content.decode()

    assert "No articles match" in page
    assert "Contact support" in page


def test_an_unknown_product_filter_searches_everything_and_says_so(client, export):
    page = client.get("/kb/search/", {"q": "export", "product": "akvo-nothing"}).content.decode()

    assert "no product called" in page
    assert "Export your data" in page


def test_a_long_query_is_cut_and_the_visitor_is_told(client, export):
    page = client.get("/kb/search/", {"q": "export " * 800}).content.decode()

    assert "first 200 characters" in page


def test_suggestions_return_title_link_summary_and_snippet(client, export):
    response = client.get(
        "/kb/suggest", {"q": "how do I expo", "product": "akvo-flow", "source": "contact_form"}
    )

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    data = response.json()
    assert data["product"] == "akvo-flow"
    [hit] = data["results"]
    assert hit["title"] == "Export your data"
    assert hit["summary"] == "Download survey responses as a spreadsheet."
    assert hit["article_url"] == "/kb/akvo-flow/articles/export-your-data/"
    assert hit["url"].startswith("/kb/go/")
    assert "<" not in hit["snippet"]
    assert not SuggestionEvent.objects.exists()  # nothing recorded without record=1


def test_suggestions_limit_is_bounded_and_an_unknown_source_is_refused(client, many_articles):
    assert len(client.get("/kb/suggest", {"q": "export", "limit": 500}).json()["results"]) == 10
    assert len(client.get("/kb/suggest", {"q": "export", "limit": "x"}).json()["results"]) == 5

    refused = client.get("/kb/suggest", {"q": "export", "source": "spam"})
    assert refused.status_code == 400
    assert "Unknown source" in refused.json()["error"]


def test_staff_get_internal_articles_in_the_agent_reply_box(client, export):
    kb.article("Export triage for agents", visibility=Visibility.INTERNAL)

    public = client.get("/kb/suggest", {"q": "export", "source": "agent_reply"}).json()
    staff = staff_client(client).get("/kb/suggest", {"q": "export", "source": "agent_reply"})

    assert [r["title"] for r in public["results"]] == ["Export your data"]
    assert "Export triage for agents" in [r["title"] for r in staff.json()["results"]]


def test_impressions_are_recorded_once_per_visitor_while_they_type(client, export):
    for text in ("exp", "export", "export my", "export my data"):
        client.get("/kb/suggest", {"q": text, "source": "contact_form", "record": "1"})

    [impression] = SuggestionEvent.objects.impressions()
    assert impression.article == export
    assert impression.source == "contact_form"
    assert impression.query == "exp"
    assert impression.position == 1
    assert impression.visitor_key
    assert client.cookies[VISITOR_COOKIE].value


def test_following_a_suggestion_records_the_click_and_opens_the_article(client, export):
    [hit] = client.get("/kb/suggest", {"q": "export data", "source": "contact_form"}).json()[
        "results"
    ]

    response = client.get(hit["url"])

    assert response.status_code == 302
    assert response["Location"] == export.get_absolute_url()
    click = SuggestionEvent.objects.get(kind=SuggestionKind.CLICK)
    assert (click.article, click.source, click.query, click.position) == (
        export,
        "contact_form",
        "export data",
        1,
    )


def test_following_the_same_suggestion_again_counts_one_click(client, export):
    [hit] = client.get("/kb/suggest", {"q": "export data", "source": "contact_form"}).json()[
        "results"
    ]

    client.get(hit["url"])
    client.get(hit["url"])

    assert SuggestionEvent.objects.filter(kind=SuggestionKind.CLICK).count() == 1


def test_a_suggestion_link_followed_days_later_opens_the_article_but_is_not_a_click(client, export):
    two_days_ago = time.time() - 2 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=two_days_ago):
        old_link = click_url(
            article_id=export.pk, source="contact_form", query="export", position=1
        )

    response = client.get(old_link)

    assert response.status_code == 302
    assert response["Location"] == export.get_absolute_url()
    assert not SuggestionEvent.objects.filter(kind=SuggestionKind.CLICK).exists()


def test_a_tampered_click_link_is_refused_and_records_nothing(client, export):
    [hit] = client.get("/kb/suggest", {"q": "export"}).json()["results"]

    response = client.get(hit["url"].replace("/kb/go/W", "/kb/go/X"))

    assert response.status_code == 404
    assert not SuggestionEvent.objects.exists()


def test_a_click_on_an_article_since_unpublished_is_a_404(client, export):
    [hit] = client.get("/kb/suggest", {"q": "export"}).json()["results"]
    services.article_unpublish(article=export, by=None)

    assert client.get(hit["url"]).status_code == 404


def test_search_results_are_recorded_as_impressions_and_link_through_the_click_tracker(
    client, export
):
    page = client.get("/kb/search/", {"q": "export"}).content.decode()

    assert '<a href="/kb/go/' in page
    assert SuggestionEvent.objects.impressions().filter(source="kb_search").count() == 1


def test_every_public_page_has_the_search_box_and_the_kb_link(client, export):
    for url in ("/", "/kb/", export.get_absolute_url()):
        page = client.get(url).content.decode()
        assert 'action="/kb/search/"' in page
        assert 'href="/kb/"' in page


def test_kb_pages_carry_the_strict_content_security_policy(client, export):
    response = client.get(export.get_absolute_url())

    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "<script>" not in response.content.decode()
