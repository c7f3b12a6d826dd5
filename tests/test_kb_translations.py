"""A partner reads the knowledge base in their language: an article has a translation
per language (its own slug, status, revisions), and where there is none yet they
read the English, told so. Authors translate in the back office; the demo has some."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from kb import services
from kb.models import Article, ArticleVote, RevisionKind, Status, Visibility
from kb.translations import article_translate
from tests import factories
from tests import kb_factories as kb

pytestmark = pytest.mark.django_db


@pytest.fixture
def export():
    return kb.article(
        "Export your data",
        summary="Download survey responses as a spreadsheet.",
        body="## Start an export\n\nOpen **Data, Export reports**.",
    )


@pytest.fixture
def exporter(export):
    """The French translation of ``export``, published."""
    return kb.translation(
        export,
        "Exporter vos données",
        slug="exporter-vos-donnees",
        summary="Téléchargez les réponses dans un tableur.",
        body="## Lancer un export\n\nOuvrez **Données, Rapports d'export**.",
    )


def staff_client(client):
    client.force_login(factories.l1_agent())
    return client


def list_items(page: str) -> list[str]:
    return re.findall(r"<li class=\"mb-2\">(.*?)</li>", page, flags=re.S)


# Reading an article ------------------------------------------------------------


def test_a_french_partner_reads_the_french_translation_at_its_own_address(client, exporter):
    response = client.get("/fr/kb/akvo-flow/articles/exporter-vos-donnees/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h2>Lancer un export</h2>" in page
    assert "Exporter vos données" in page
    assert "kb-language-note" not in page


def test_the_english_address_in_french_sends_the_partner_to_the_translation(client, exporter):
    response = client.get("/fr/kb/akvo-flow/articles/export-your-data/")

    assert response.status_code == 302
    assert response["Location"] == "/fr/kb/akvo-flow/articles/exporter-vos-donnees/"


def test_without_a_translation_the_partner_reads_the_english_and_is_told_so(client, export):
    page = client.get("/fr/kb/akvo-flow/articles/export-your-data/").content.decode()

    with translation.override("fr"):
        note = gettext("This article is not yet available in your language; here it is in English.")
    assert note.startswith("Cet article n")
    assert f'role="note" id="kb-language-note">{note}</p>' in page
    assert '<h1 class="h2" lang="en">Export your data</h1>' in page
    assert '<p class="lead" lang="en">Download survey responses' in page
    assert '<div class="kb-article-body" lang="en"><h2>Start an export</h2>' in page
    assert re.search(r'<html lang="fr"', page)


def test_a_draft_translation_is_not_where_partners_are_sent_but_staff_preview_it(client, export):
    draft = kb.translation(export, "Exporter (brouillon)", slug="exporter", status=Status.DRAFT)

    english = client.get("/fr/kb/akvo-flow/articles/export-your-data/")
    assert english.status_code == 200
    assert 'id="kb-language-note"' in english.content.decode()
    assert client.get("/fr/kb/akvo-flow/articles/exporter/").status_code == 404

    preview = staff_client(client).get(f"/fr/kb/akvo-flow/articles/{draft.slug}/")
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Exporter (brouillon)" in page
    assert 'class="alert alert-warning" role="status"' in page  # the preview warning


def test_a_french_address_read_in_another_language_leads_to_that_language_or_the_english(
    client, exporter, export
):
    spanish = kb.translation(export, "Exportar sus datos", language="es", slug="exportar")

    assert (
        client.get("/es/kb/akvo-flow/articles/exporter-vos-donnees/")["Location"]
        == f"/es/kb/akvo-flow/articles/{spanish.slug}/"
    )
    assert (
        client.get("/pt-br/kb/akvo-flow/articles/exporter-vos-donnees/")["Location"]
        == "/pt-br/kb/akvo-flow/articles/export-your-data/"
    )


def test_an_english_reader_only_ever_reads_english(client, exporter):
    response = client.get("/kb/akvo-flow/articles/exporter-vos-donnees/")

    assert response.status_code == 302
    assert response["Location"] == "/kb/akvo-flow/articles/export-your-data/"
    page = client.get("/kb/akvo-flow/articles/export-your-data/").content.decode()
    assert "Start an export" in page
    assert "kb-language-note" not in page


def test_a_translation_may_keep_its_originals_slug(client, export):
    kb.translation(export, "Exporter vos données", slug="export-your-data")

    french = client.get("/fr/kb/akvo-flow/articles/export-your-data/")
    english = client.get("/kb/akvo-flow/articles/export-your-data/")

    assert french.status_code == english.status_code == 200
    assert "Exporter vos données" in french.content.decode()
    assert "Export your data" in english.content.decode()


# The language switcher -----------------------------------------------------------


def test_the_switcher_on_an_article_leads_to_the_article_in_the_chosen_language(client, exporter):
    page = client.get("/kb/akvo-flow/articles/export-your-data/").content.decode()
    assert 'name="next_fr" value="/fr/kb/akvo-flow/articles/exporter-vos-donnees/"' in page
    assert 'name="next_es" value="/es/kb/akvo-flow/articles/export-your-data/"' in page
    french_url = "http://testserver/fr/kb/akvo-flow/articles/exporter-vos-donnees/"
    assert f'<link rel="alternate" hreflang="fr" href="{french_url}">' in page
    assert 'hreflang="es"' not in page  # no Spanish translation: no alternate to announce

    response = client.post(
        "/language/",
        {
            "language": "fr",
            "next": "/kb/akvo-flow/articles/export-your-data/",
            "next_fr": "/fr/kb/akvo-flow/articles/exporter-vos-donnees/",
        },
    )
    assert response["Location"] == "/fr/kb/akvo-flow/articles/exporter-vos-donnees/"

    french = client.get(response["Location"]).content.decode()
    assert 'name="next_en" value="/kb/akvo-flow/articles/export-your-data/"' in french


def test_the_switcher_still_refuses_another_site_given_as_a_languages_address(client):
    response = client.post(
        "/language/", {"language": "fr", "next": "/kb/", "next_fr": "https://evil.example/"}
    )

    assert response["Location"] == "/fr/"


# Lists ---------------------------------------------------------------------------


def test_french_lists_show_the_translation_or_the_english_marked_as_such(client, exporter):
    kb.article("Clean your data", summary="Fix columns before you export.")
    kb.article("Agent notes", visibility=Visibility.INTERNAL)

    for url in ("/fr/kb/", "/fr/kb/akvo-flow/", "/fr/kb/akvo-flow/sections/data/"):
        page = client.get(url).content.decode()
        items = "\n".join(list_items(page))
        french = 'href="/fr/kb/akvo-flow/articles/exporter-vos-donnees/">Exporter vos données'
        assert french in items, url
        assert "Export your data" not in page, url
        assert re.search(
            r'href="/fr/kb/akvo-flow/articles/clean-your-data/" lang="en">Clean your data</a>\s*'
            r"<span[^>]*>En anglais</span>",  # "In English", in French
            items,
        ), url
        assert "Agent notes" not in page, url

    section = client.get("/fr/kb/akvo-flow/sections/data/").content.decode()
    assert "Téléchargez les réponses dans un tableur." in section
    assert '<div class="text-body-secondary small" lang="en">Fix columns' in section


def test_a_translated_article_counts_once(client, exporter):
    page = client.get("/fr/kb/").content.decode()

    assert re.search(r"1 article\b", page)


def test_english_lists_never_show_translations(client, exporter):
    for url in ("/kb/", "/kb/akvo-flow/", "/kb/akvo-flow/sections/data/"):
        page = client.get(url).content.decode()
        assert "Export your data" in page
        assert "Exporter vos données" not in page
        assert "kb-other-language" not in page


def test_a_translation_of_an_unpublished_original_is_not_listed(client, export, exporter):
    services.article_unpublish(article=export, by=None)

    page = client.get("/fr/kb/akvo-flow/").content.decode()

    assert "Exporter vos données" not in page


def test_sections_are_titled_in_the_readers_language(client, exporter):
    section = exporter.section
    section.translations = {"fr": {"title": "Données et exports", "description": "Télécharger."}}
    section.save()

    product = client.get("/fr/kb/akvo-flow/").content.decode()
    article = client.get("/fr/kb/akvo-flow/articles/exporter-vos-donnees/").content.decode()
    spanish = client.get("/es/kb/akvo-flow/").content.decode()

    assert "Données et exports</a>" in product
    assert "Télécharger." in product
    assert "Données et exports</a>" in article
    assert "Data and exports</a>" in spanish  # no Spanish title yet: the English one


def test_french_pages_take_no_more_queries_with_more_translations(
    client, exporter, django_assert_max_num_queries
):
    sections = [kb.section("akvo-flow", f"s{n}", f"Section {n}") for n in range(4)]
    for n in range(24):
        original = kb.article(f"Flow guide {n}", in_section=sections[n % 4])
        if n % 2:
            kb.translation(original, f"Guide Flow {n}")
    staff_client(client)

    for url, shown in [
        ("/fr/kb/", "Exporter vos données"),
        ("/fr/kb/akvo-flow/", "Guide Flow 23"),
        ("/fr/kb/akvo-flow/sections/s0/", "Flow guide 0"),
        ("/fr/kb/akvo-flow/articles/exporter-vos-donnees/", "Lancer un export"),
    ]:
        with django_assert_max_num_queries(6):
            response = client.get(url)
        assert shown in response.content.decode(), url


# Feedback and views ----------------------------------------------------------------


def test_a_french_partner_votes_on_the_translation_and_its_views_are_its_own(
    client, export, exporter
):
    client.get("/fr/kb/akvo-flow/articles/exporter-vos-donnees/")
    response = client.post(
        "/fr/kb/akvo-flow/articles/exporter-vos-donnees/feedback/",
        {"helpful": "yes", "comment": "Très clair"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/fr/kb/akvo-flow/articles/exporter-vos-donnees/#feedback"
    vote = ArticleVote.objects.get()
    assert (vote.article_id, vote.helpful, vote.comment) == (exporter.pk, True, "Très clair")
    export.refresh_from_db()
    exporter.refresh_from_db()
    assert (export.view_count, exporter.view_count) == (0, 1)


# Writing translations ------------------------------------------------------------


def test_a_translation_is_rendered_and_keeps_its_own_revisions(export):
    editor = factories.l1_agent()
    french = article_translate(
        original=export,
        language="fr",
        title="Exporter vos données",
        body="Ouvrez **Données**.",
        tags="Export, Données",
        by=editor,
    )

    assert (french.product_id, french.section_id, french.status) == (
        export.product_id,
        export.section_id,
        Status.DRAFT,
    )
    assert "<strong>Données</strong>" in french.body_html
    assert french.slug == "exporter-vos-donnees"
    assert french.tags == "export, données"
    french.body = "Ouvrez **Données** puis **Exporter**."
    services.article_save(article=french, by=editor, change_note="Étape ajoutée")
    assert list(french.revisions.values_list("kind", "editor")) == [
        (RevisionKind.EDITED, editor.pk),
        (RevisionKind.CREATED, editor.pk),
    ]
    assert not export.revisions.filter(kind=RevisionKind.EDITED).exists()


@pytest.mark.parametrize(
    ("language", "field"), [("en", "language"), ("xx", "language"), ("fr", "language")]
)
def test_a_translation_into_english_an_unknown_or_a_taken_language_is_refused(
    exporter, export, language, field
):
    with pytest.raises(ValidationError) as refused:
        article_translate(original=export, language=language, title="Encore", body="x", by=None)

    assert field in refused.value.message_dict
    assert Article.objects.count() == 2


def test_a_translation_of_a_translation_is_refused(exporter):
    with pytest.raises(ValidationError):
        article_translate(original=exporter, language="es", title="Exportar", body="x", by=None)

    assert Article.objects.filter(language="es").count() == 0


def test_moving_an_original_moves_its_translations_with_a_revision(export, exporter):
    devices = kb.section("akvo-flow", "devices", "Devices and syncing")
    export.section = devices
    export.position = 3
    services.article_save(article=export, by=None)

    exporter.refresh_from_db()
    assert (exporter.section_id, exporter.position) == (devices.pk, 3)
    assert exporter.revisions.filter(kind=RevisionKind.EDITED).count() == 1


def test_an_originals_translations_all_follow_it_in_as_many_queries_for_three_as_for_one():
    editor = factories.l1_agent()
    lumen = kb.section("akvo-lumen", "datasets", "Datasets")
    queries = []
    for languages in (["fr"], ["fr", "es", "pt-br"]):
        original = kb.article(f"Export guide {len(languages)}")
        for language in languages:
            kb.translation(original, f"Guide {language} {len(languages)}", language=language)
        original.product, original.section, original.position = lumen.product, lumen, 4

        with CaptureQueriesContext(connection) as moving:
            services.article_save(article=original, by=editor)

        queries.append(len(moving))
        moved = Article.objects.filter(translation_of=original)
        assert sorted(moved.values_list("language", "product", "section", "position")) == [
            (language, lumen.product_id, lumen.pk, 4) for language in sorted(languages)
        ]
        for follower in moved:
            assert follower.updated_by == editor
            latest = follower.revisions.values_list("kind", "editor", "change_note").first()
            assert latest == (RevisionKind.EDITED, editor.pk, "Moved with its original.")
    assert queries[0] == queries[1]


def test_a_translation_cannot_be_moved_away_from_its_original(export, exporter):
    devices = kb.section("akvo-flow", "devices", "Devices and syncing")
    exporter.section = devices

    services.article_save(article=exporter, by=None)

    exporter.refresh_from_db()
    assert exporter.section_id == export.section_id


def test_moving_an_original_to_another_product_keeps_translation_slugs_unique(export, exporter):
    lumen = kb.section("akvo-lumen", "datasets", "Datasets")
    other = kb.article("Exporter", in_section=lumen)
    kb.translation(other, "Exporter vos données", slug="exporter-vos-donnees")

    export.product = lumen.product
    export.section = lumen
    services.article_save(article=export, by=None)

    exporter.refresh_from_db()
    assert (exporter.product_id, exporter.slug) == (lumen.product_id, "exporter-vos-donnees-2")
