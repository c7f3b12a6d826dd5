"""Search: what a visitor typing into the knowledge base finds, on PostgreSQL and on SQLite."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from kb.models import Status, Visibility
from kb.search import clean_query, crude_stem, search_articles
from tests import factories
from tests import kb_factories as kb

pytestmark = pytest.mark.django_db

BAD_QUERIES = [
    "",
    "   ",
    "x" * 5000,
    "export " * 800,
    "'&|!:*()<>",
    "export & | ! : * ( ) < >",
    "'; DROP TABLE kb_article; --",
    "1' OR '1'='1",
    '" OR ""="',
    "export:* & !",
    "<script>alert(1)</script>",
    "%_%",
    "\\",
    "\x00nul byte",
    "données d\u2019exportation",
    "Экспорт данных",
    "导出数据",
    "🔥📊 export 🚀",
    "-",
    '"',
    "!!!",
]


@pytest.fixture
def library():
    """A small knowledge base: the answer, a body-only mention, a draft and an internal note."""
    return {
        "export": kb.article(
            "Export your data",
            summary="Download survey responses as a spreadsheet.",
            body="Open the dashboard, go to Data and choose the report you need.",
            tags="data export",
        ),
        "dashboard": kb.article(
            "Build a dashboard",
            summary="Combine visualisations into a page.",
            body="Add charts to the page. You can export a chart as an image, "
            "and export again after every change. Exports are PNG files.",
            product="akvo-lumen",
        ),
        "password": kb.article(
            "Reset your password",
            body="Choose Forgot password on the sign-in page.",
            product="akvo-rsr",
        ),
        "draft": kb.article(
            "Export to the cloud (coming soon)", body="Exporting to cloud storage.", status="draft"
        ),
        "internal": kb.article(
            "Triage of export failures",
            body="For agents: collect the survey name before escalating an export problem.",
            visibility=Visibility.INTERNAL,
        ),
    }


def titles(result) -> list[str]:
    return [a.title for a in result.articles]


def test_a_visitor_searching_for_exporting_finds_the_article_titled_export_your_data(library):
    result = search_articles("exporting", user=AnonymousUser())

    assert titles(result)[0] == "Export your data"


def test_a_title_match_ranks_before_a_body_match(library):
    result = search_articles("export", user=AnonymousUser())

    assert titles(result) == ["Export your data", "Build a dashboard"]


def test_drafts_and_internal_articles_are_invisible_to_the_public(library):
    found = titles(search_articles("export", user=AnonymousUser()))

    assert "Triage of export failures" not in found
    assert "Export to the cloud (coming soon)" not in found


def test_staff_find_internal_articles_but_not_drafts(library):
    agent = factories.l1_agent()

    found = titles(search_articles("export", user=agent))

    assert "Triage of export failures" in found
    assert "Export to the cloud (coming soon)" not in found


def test_an_archived_article_is_no_longer_found(library):
    library["password"].status = Status.ARCHIVED
    library["password"].save()

    assert not search_articles("password", user=AnonymousUser())


def test_results_can_be_limited_to_one_product(library):
    result = search_articles(
        "export", user=AnonymousUser(), product=factories.product("akvo-lumen")
    )

    assert titles(result) == ["Build a dashboard"]


def test_words_found_are_highlighted_and_the_rest_escaped():
    kb.article("Export with special characters", body="Export <b>all</b> rows & columns.")

    result = search_articles("export", user=AnonymousUser())

    snippet = str(result.hits[0].snippet)
    assert "<mark>Export</mark>" in snippet
    assert "&amp;" in snippet
    assert "<b>" not in snippet  # shown as text (SQLite) or left out (PostgreSQL)


def test_a_query_where_not_every_word_matches_still_finds_the_closest(library):
    result = search_articles("reset password for my tablet", user=AnonymousUser())

    assert titles(result)[0] == "Reset your password"


def test_suggestions_as_you_type_treat_the_last_word_as_a_prefix(library):
    result = search_articles("cannot expo", user=AnonymousUser(), as_you_type=True)

    assert "Export your data" in titles(result)


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_input_gives_results_or_nothing_never_an_error(library, query):
    result = search_articles(query, user=AnonymousUser())

    assert len(result.query) <= 200
    assert isinstance(result.hits, list)


def test_a_5000_character_query_is_cut_to_200_characters():
    assert len(clean_query("export " * 800)) == 200
    assert clean_query("a\x00b\tc\n") == "a b c"


def test_the_number_of_queries_does_not_grow_with_the_articles(django_assert_max_num_queries):
    for n in range(30):
        kb.article(f"Export guide {n}", body="How to export your data.")

    with django_assert_max_num_queries(3):
        many = search_articles("export", user=AnonymousUser())
    with django_assert_max_num_queries(3):
        search_articles("exprot nothing matches", user=AnonymousUser())

    assert len(many.hits) == 20


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("exporting", "export"),
        ("exported", "export"),
        ("exports", "export"),
        ("dashboards", "dashboard"),
        ("resetting", "reset"),
        ("syncing", "sync"),
        ("entries", "entry"),
        ("roles", "role"),
        ("boxes", "box"),
        ("data", "data"),
    ],
)
def test_the_sqlite_fallback_stems_common_english_endings(word, stem):
    assert crude_stem(word) == stem


@pytest.mark.postgres
def test_on_postgresql_a_typo_still_finds_the_article_by_its_title(library):
    result = search_articles("exprot", user=AnonymousUser())

    assert result.method == "similar"
    assert titles(result)[0] == "Export your data"


@pytest.mark.postgres
def test_on_postgresql_the_search_vector_is_kept_by_the_database(library):
    article = library["password"]
    article.title = "Change a forgotten password"
    article.body_text = "Nothing about kittens."
    article.save()

    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM kb_article WHERE id = %s", [article.pk])
        vector = cursor.fetchone()[0]
    assert re.search(r"'forgotten':\d+A", vector)
    assert re.search(r"'kitten':\d+C", vector)  # stemmed


@pytest.mark.postgres
def test_on_postgresql_websearch_syntax_works(library):
    assert titles(search_articles('"export your data"', user=AnonymousUser())) == [
        "Export your data"
    ]
    assert "Export your data" not in titles(search_articles("export -data", user=AnonymousUser()))
