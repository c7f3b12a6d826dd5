"""Search forgives typos and accents, on SQLite (the default setup) as on PostgreSQL.

A French partner types "donnees" on a phone keyboard without accents, or
"exprot" in a hurry: the article is found all the same, and nobody sees what
they may not see.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from kb.models import Visibility
from kb.search import search_articles
from tests import factories
from tests import kb_factories as kb

pytestmark = pytest.mark.django_db


def titles(result) -> list[str]:
    return [a.title for a in result.articles]


@pytest.fixture
def library():
    return {
        "export": kb.article(
            "Export your data",
            summary="Download survey responses as a spreadsheet.",
            body="Open the dashboard, go to Data and choose the report you need.",
            tags="data export",
        ),
        "french": kb.article(
            "Exporter les données d'un formulaire",
            summary="Télécharger les réponses au format Excel.",
            body="Ouvrez le tableau de bord et choisissez les données à exporter.",
            tags="exportation, données",
        ),
        "plain": kb.article(
            "Importer des donnees brutes",
            summary="Charger un fichier CSV.",
            body="Le fichier doit avoir une ligne d'en-tete.",
            product="akvo-lumen",
        ),
        "password": kb.article(
            "Reset your password", body="Choose Forgot password on the sign-in page."
        ),
        "internal": kb.article(
            "Escalating synchronisation faults",
            body="For agents: collect the device logs first.",
            visibility=Visibility.INTERNAL,
        ),
    }


def test_a_hurried_visitor_typing_exprot_finds_the_export_article(library):
    result = search_articles("exprot", user=AnonymousUser())

    assert result.method == "similar"  # the page says these have similar titles
    assert "Export your data" in titles(result)[:2]  # with the French "Exporter …"


def test_a_misspelled_word_of_several_still_finds_the_article(library):
    result = search_articles("pasword reset", user=AnonymousUser())

    assert titles(result)[0] == "Reset your password"


def test_a_french_partner_typing_without_accents_finds_the_accented_article(library):
    result = search_articles("donnees", user=AnonymousUser())

    assert "Exporter les données d'un formulaire" in titles(result)
    assert result.method != "similar"  # the same word, not a guess


def test_an_accented_search_finds_an_article_written_without_accents(library):
    result = search_articles("données brutes", user=AnonymousUser())

    assert titles(result)[0] == "Importer des donnees brutes"


def test_accents_are_ignored_within_a_product_too(library):
    result = search_articles(
        "donnees", user=AnonymousUser(), product=factories.product("akvo-lumen")
    )

    assert titles(result) == ["Importer des donnees brutes"]


def test_a_typo_never_reveals_an_internal_article_to_the_public(library):
    assert "Escalating synchronisation faults" not in titles(
        search_articles("synchronisaton", user=AnonymousUser())
    )
    staff_titles = titles(search_articles("synchronisaton", user=factories.l1_agent()))
    assert staff_titles == ["Escalating synchronisation faults"]


def test_a_new_article_is_found_by_its_misspelled_title_at_once():
    assert not search_articles("dashbord", user=AnonymousUser())

    kb.article("Build a dashboard", body="Add charts to a page.", product="akvo-lumen")

    assert titles(search_articles("dashbord", user=AnonymousUser())) == ["Build a dashboard"]


def test_a_retitled_article_is_no_longer_found_by_its_old_title(library):
    article = library["password"]
    article.title = "Sign in again"
    article.save()

    assert "Sign in again" not in titles(search_articles("pasword", user=AnonymousUser()))


def test_gibberish_still_finds_nothing(library):
    result = search_articles("zzqxv wuplk", user=AnonymousUser())

    assert not result
    assert result.method == ""


def test_a_forgiving_search_costs_a_bounded_number_of_queries(
    library, django_assert_max_num_queries
):
    for n in range(30):
        kb.article(f"Export guide {n}", body="How to export your data.", tags="données")

    with django_assert_max_num_queries(3):
        typo = search_articles("exprot guide", user=AnonymousUser())
    with django_assert_max_num_queries(3):
        accent = search_articles("donnees", user=AnonymousUser())

    assert len(typo.hits) == 20
    assert len(accent.hits) == 20


@pytest.mark.postgres
def test_on_postgresql_the_search_document_is_stored_without_accents(library):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_vector::text FROM kb_article WHERE id = %s", [library["french"].pk]
        )
        vector = cursor.fetchone()[0]

    assert "'donne'" in vector  # "données", unaccented and stemmed like "donnees"
    assert "é" not in vector


@pytest.mark.postgres
def test_on_postgresql_an_accent_in_the_body_alone_is_ignored():
    kb.article("Form settings", body="Les réponses arrivent dans l'écran des soumissions.")

    assert titles(search_articles("reponses ecran", user=AnonymousUser())) == ["Form settings"]
