"""The demo knowledge base that `seed_demo` loads."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count

from demo.kb import SECTIONS, load_articles, seed_kb_demo
from kb.models import Article, ArticleRevision, Section, Status, Visibility
from kb.search import search_articles

pytestmark = pytest.mark.django_db


def test_the_demo_has_about_twenty_published_articles_across_the_three_products():
    report = seed_kb_demo()

    assert 18 <= report.articles_created <= 25
    per_product = dict(
        Article.objects.values_list("product__slug").annotate(n=Count("pk")).order_by()
    )
    assert set(per_product) == {"akvo-flow", "akvo-rsr", "akvo-lumen"}
    assert all(n >= 5 for n in per_product.values())
    assert not Article.objects.exclude(status=Status.PUBLISHED).exists()
    assert Article.objects.filter(visibility=Visibility.INTERNAL).exists()
    assert not Article.objects.filter(body_html="").exists()
    assert ArticleRevision.objects.count() >= 2 * report.articles_created


def test_the_demo_answers_the_questions_support_hears_most():
    seed_kb_demo()
    anyone = AnonymousUser()

    for query, title in [
        ("exporting data", "Export your data"),
        ("forgot password", "Reset your password"),
        ("phone not syncing", "Sync a device that has stopped sending data"),
        ("build dashboard", "Build a dashboard"),
        ("user roles", "Manage users and roles in your organisation"),
    ]:
        assert title in [a.title for a in search_articles(query, user=anyone).articles[:3]], query


def test_seeding_again_adds_nothing_and_keeps_edits():
    seed_kb_demo()
    Article.objects.filter(slug="export-your-data").update(title="Export your data (edited)")

    report = seed_kb_demo()

    assert (report.sections_created, report.articles_created) == (0, 0)
    assert Article.objects.filter(title="Export your data (edited)").exists()
    assert Section.objects.count() == 9


def test_every_demo_file_names_a_known_section():
    sections = {(p, s) for p, s, *_ in SECTIONS}

    for article in load_articles():
        assert (article.product, article.section) in sections, article.slug
        assert article.summary
        assert article.title
        assert len(article.body) > 300


@pytest.mark.parametrize("language", ["fr", "es", "pt-br"])
def test_the_ten_most_read_demo_articles_are_written_in_each_language(language):
    seed_kb_demo()

    translations = Article.objects.filter(language=language).select_related("translation_of")
    assert translations.count() == 10
    assert {t.translation_of.slug for t in translations} == {
        "export-your-data",
        "sync-a-device",
        "install-the-app",
        "find-device-id-and-imei",
        "build-a-survey",
        "reset-your-password",
        "export-project-data",
        "report-results",
        "import-a-dataset",
        "share-a-dashboard",
    }
    for translation in translations:
        assert translation.status == Status.PUBLISHED
        assert translation.title != translation.translation_of.title
        assert translation.body_html
        assert translation.revisions.exists()
        # Written out, not a stub: about as long as the English it translates.
        assert len(translation.body) > 0.8 * len(translation.translation_of.body)


def test_a_french_partner_finds_the_french_demo_article_in_her_words():
    seed_kb_demo()

    result = search_articles("exporter les données", user=AnonymousUser(), language="fr")

    assert [hit.article.slug for hit in result.hits][:1] == ["exporter-vos-donnees"]
    assert result.hits[0].article.language == "fr"
