"""On PostgreSQL, searches that ignore accents still read articles through the GIN index.

Two thousand published articles that do not mention the words make the
listing filters (published, public) unselective, as they are in production;
then, as in tests/test_query_plans.py, sequential scans are priced out, and
the search must be served by the search vector's index with the text search
as its condition. A search no index could serve would read all 10,000
articles of the benchmark every time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from kb.models import Article, Status
from kb.search import search_articles
from tests import kb_factories as kb

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def plan_nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


def plan_of(sql: str) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        (row,) = cursor.fetchone()
        cursor.execute("SET LOCAL enable_seqscan = on")
    document = json.loads(row) if isinstance(row, str) else row
    return document[0]["Plan"]


def search_sql(text: str, language: str = "en") -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        search_articles(text, user=AnonymousUser(), language=language)
    return [q["sql"] for q in captured.captured_queries if '"kb_article"' in q["sql"]]


@pytest.fixture(scope="module")
def articles(django_db_setup, django_db_blocker):
    """Written once for the module, in a transaction rolled back after its last test (each
    test runs in a savepoint inside it): 2,000 rows and ANALYZE take seconds on a CI machine."""
    with django_db_blocker.unblock(), transaction.atomic():
        _write_articles()
        yield
        transaction.set_rollback(True)


def _write_articles() -> None:
    first = kb.article("Exporter les données", body="Choisissez les données à exporter.")
    kb.article("Export your data", body="Open the dashboard.", tags="data export")
    Article.objects.bulk_create(
        Article(
            product_id=first.product_id,
            section_id=first.section_id,
            title=f"Field guide {n}",
            slug=f"field-guide-{n}",
            body_text="Walk to the water point and take a sample.",
            status=Status.PUBLISHED,
        )
        for n in range(2000)
    )
    with connection.cursor() as cursor:
        # What autovacuum does in production: bulk inserts wait in the GIN index's
        # pending list, which the planner prices as a full read of it.
        cursor.execute("SELECT gin_clean_pending_list('kb_article_search')")
        cursor.execute("SELECT gin_clean_pending_list('kb_article_title_trgm')")
        cursor.execute("ANALYZE kb_article")


@pytest.mark.parametrize("text", ["donnees", "données", "exporter donnees", "export"])
def test_a_search_with_or_without_accents_is_served_by_the_search_index(articles, text):
    first, *_rest = search_sql(text)

    assert "kb_english" in first  # the unaccenting configuration parsed the words
    conditions = {
        node.get("Index Name"): node.get("Index Cond", "") for node in plan_nodes(plan_of(first))
    }
    assert "search_vector @@" in conditions["kb_article_search"]


def test_any_word_or_else_a_similar_title_is_served_by_both_indexes(articles):
    _every_word, any_word_or_similar = search_sql("donnees zzqx")

    assert "kb_english" in any_word_or_similar
    indexes = {node.get("Index Name") for node in plan_nodes(plan_of(any_word_or_similar))}
    assert {"kb_article_search", "kb_article_title_trgm"} <= indexes


@pytest.mark.parametrize("text", ["donnees", "exporter les données"])
def test_a_french_readers_search_is_served_by_the_search_index_in_both_languages(articles, text):
    first, *_rest = search_sql(text, language="fr")

    assert "kb_french" in first  # French articles: the French configuration
    assert "kb_english" in first  # English fallbacks: the English one
    conditions = [
        node.get("Index Cond", "")
        for node in plan_nodes(plan_of(first))
        if node.get("Index Name") == "kb_article_search"
    ]
    # One index scan per language, or-ed (one when both parse the words alike).
    assert 1 <= len(conditions) <= 2
    assert all("search_vector @@" in condition for condition in conditions)


def test_a_french_readers_typo_is_served_by_both_indexes(articles):
    _every_word, any_word_or_similar = search_sql("donnees zzqx", language="fr")

    indexes = {node.get("Index Name") for node in plan_nodes(plan_of(any_word_or_similar))}
    assert {"kb_article_search", "kb_article_title_trgm"} <= indexes
