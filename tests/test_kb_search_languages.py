"""A reader finds articles in their own language first, English ones when there is no translation.

A French partner searching the knowledge base at /fr/ finds the French
translation of an article, not its English original as well; when nothing is
translated they get the English article, marked "In English"; they never see
the Spanish translations. Accents and typos are forgiven in French as in
English, on SQLite (the default setup) and on PostgreSQL.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from kb import services
from kb.models import Article, Status
from kb.search import search_articles
from tests import kb_factories as kb

pytestmark = pytest.mark.django_db


def translate(
    original: Article,
    title: str,
    *,
    language: str = "fr",
    summary: str = "",
    body: str = "",
    tags: str = "",
    status: str = Status.PUBLISHED,
) -> Article:
    """A translation as an author writes it: its own row, same product and section."""
    return services.article_save(
        article=Article(
            product=original.product,
            section=original.section,
            language=language,
            translation_of=original,
            title=title,
            summary=summary,
            body=body,
            tags=tags,
            status=status,
        ),
        by=None,
    )


@pytest.fixture
def library():
    export = kb.article(
        "Export your data",
        summary="Download survey responses as a spreadsheet.",
        body="Open Data and choose the report you need.",
        tags="data export",
    )
    sync = kb.article("Sync a device", body="Connect the tablet to the server and sync forms.")
    screen = kb.article("Home screen settings", body="Choose what the first screen shows.")
    share = kb.article("Share a dashboard", body="Send the link to your team.")
    build = kb.article("Build a dashboard", body="Add charts to a page.", product="akvo-lumen")
    password = kb.article("Reset your password", body="Choose Forgot password on the sign-in page.")
    return {
        "export": export,
        "export_fr": translate(
            export,
            "Exporter vos données",
            summary="Télécharger les réponses au format Excel.",
            body="Ouvrez le tableau de bord et choisissez les données à exporter.",
            tags="exportation, données",
        ),
        "export_es": translate(
            export,
            "Exportar sus datos",
            language="es",
            summary="Descargar las respuestas como hoja de cálculo.",
            body="Abra el tablero y elija los datos que desea exportar.",
        ),
        "sync": sync,
        "sync_fr": translate(
            sync,
            "Synchroniser un appareil",
            body="Connectez la tablette au serveur et synchronisez les formulaires.",
        ),
        # Written without accents, as on a keyboard that has none.
        "screen_fr": translate(
            screen, "Parametres de l'ecran d'accueil", body="Choisissez ce que montre l'ecran."
        ),
        "share_fr": translate(share, "Partager un dashboard", body="Envoyez le lien à l'équipe."),
        "build": build,
        "build_es": translate(build, "Crear un dashboard", language="es", body="Añada gráficos."),
        "password": password,
    }


def titles(result) -> list[str]:
    return [a.title for a in result.articles]


def french(query: str, **options):
    return search_articles(query, user=AnonymousUser(), language="fr", **options)


@pytest.mark.parametrize("query", ["exporter vos données", "export", "données"])
def test_a_french_partner_finds_the_french_translation_and_not_its_english_original(library, query):
    result = french(query)

    assert titles(result)[0] == "Exporter vos données"
    assert "Export your data" not in titles(result)
    assert result.hits[0].fallback is False
    assert result.language == "fr"


def test_little_french_words_are_not_asked_of_the_article(library):
    result = french("exporter les données")

    assert titles(result) == ["Exporter vos données"]
    assert result.method in ("fulltext", "words")  # not "some of your words"


def test_the_reader_language_is_the_active_language_by_default(library):
    with translation.override("fr"):
        result = search_articles("données", user=AnonymousUser())

    assert titles(result) == ["Exporter vos données"]


def test_with_no_french_translation_a_french_partner_gets_the_english_article_marked(library):
    result = french("password")

    assert titles(result) == ["Reset your password"]
    assert result.hits[0].fallback is True  # the page says "In English"


def test_a_spanish_translation_is_never_shown_to_a_french_partner(library):
    for query in ("exportar datos", "datos", "crear dashboard", "dashboard", "tablero"):
        result = french(query)

        assert {a.language for a in result.articles} <= {"fr", "en"}, query
    assert titles(french("dashboard")) == ["Partager un dashboard", "Build a dashboard"]


def test_a_french_article_comes_before_an_english_fallback_matching_as_well(library):
    result = french("dashboard")

    assert [(h.article.title, h.fallback) for h in result.hits] == [
        ("Partager un dashboard", False),
        ("Build a dashboard", True),  # not translated into French; its Spanish one is hidden
    ]


def test_a_spanish_reader_finds_the_spanish_translation(library):
    result = search_articles("datos", user=AnonymousUser(), language="es")

    assert titles(result)[0] == "Exportar sus datos"
    assert "Export your data" not in titles(result)


def test_typing_without_accents_finds_the_accented_french_article(library):
    result = french("donnees")

    assert titles(result) == ["Exporter vos données"]
    assert result.method != "similar"  # the same word, not a guess


def test_typing_accents_finds_the_french_article_written_without_them(library):
    result = french("écran d'accueil")

    assert titles(result) == ["Parametres de l'ecran d'accueil"]


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("exportr des donnes", "Exporter vos données"),
        ("sycnhroniser", "Synchroniser un appareil"),
        ("synchroniser", "Synchroniser un appareil"),
    ],
)
def test_a_misspelt_french_search_still_finds_the_french_article(library, query, title):
    result = french(query)

    assert titles(result)[0] == title
    assert len({a.original_id for a in result.articles}) == len(result.articles)  # one a subject


def test_an_english_reader_sees_english_articles_only(library):
    english = search_articles("export data", user=AnonymousUser(), language="en")

    assert titles(english)[0] == "Export your data"
    assert {a.language for a in english.articles} == {"en"}
    assert not any(hit.fallback for hit in english.hits)
    typed_in_french = search_articles("synchroniser", user=AnonymousUser(), language="en")
    assert "Synchroniser un appareil" not in titles(typed_in_french)


def test_an_unpublished_french_translation_leaves_the_english_article_to_answer(library):
    library["sync_fr"].status = Status.DRAFT
    services.article_save(article=library["sync_fr"], by=None)

    result = french("sync device")

    assert titles(result) == ["Sync a device"]
    assert result.hits[0].fallback is True


def test_suggestions_while_typing_in_french_show_the_french_article(library):
    result = french("comment exporter vos donn", as_you_type=True)

    assert titles(result)[0] == "Exporter vos données"
    assert "Export your data" not in titles(result)


def test_the_suggestion_endpoint_marks_an_english_article_for_a_french_reader(client, library):
    french_answer = client.get("/fr/kb/suggest", {"q": "exporter les donn"}).json()
    english_answer = client.get("/fr/kb/suggest", {"q": "reset password"}).json()

    assert french_answer["results"][0]["title"] == "Exporter vos données"
    assert french_answer["results"][0]["in_english"] is False
    assert english_answer["results"][0]["title"] == "Reset your password"
    assert english_answer["results"][0]["in_english"] is True
    assert english_answer["results"][0]["language"] == "en"


def test_the_french_results_page_says_in_english_on_the_fallback_only(client, library):
    page = client.get("/fr/kb/search/", {"q": "dashboard"}).content.decode()

    assert "Partager un dashboard</a></h2>" in page  # no badge on the French article
    assert 'lang="en">Build a dashboard</a> <span class="badge' in page
    assert page.count("kb-in-english") == 1
    assert "Crear un dashboard" not in page
    assert "Share a dashboard" not in page


def test_the_english_results_page_has_no_in_english_badge(client, library):
    page = client.get("/kb/search/", {"q": "dashboard"}).content.decode()

    assert "Share a dashboard" in page
    assert "Build a dashboard" in page
    assert "kb-in-english" not in page
    assert "Partager un dashboard" not in page


def test_the_number_of_queries_does_not_grow_with_translations(django_assert_max_num_queries):
    for n in range(30):
        original = kb.article(f"Export guide {n}", body="How to export your data.")
        translate(original, f"Guide d'exportation {n}", body="Comment exporter vos données.")

    with django_assert_max_num_queries(3):
        many = french("exporter")
    with django_assert_max_num_queries(3):
        french("exprter rien ne correspond")

    assert len(many.hits) == 20
    assert {a.language for a in many.articles} == {"fr"}
    assert len({a.original_id for a in many.articles}) == 20


def test_when_nothing_matches_a_french_partner_is_offered_the_most_read_in_french(client, library):
    Article.objects.filter(pk=library["export"].pk).update(view_count=90)
    Article.objects.filter(pk=library["export_fr"].pk).update(view_count=40)
    Article.objects.filter(pk=library["export_es"].pk).update(view_count=500)
    Article.objects.filter(pk=library["password"].pk).update(view_count=30)

    page = client.get("/fr/kb/search/", {"q": "zzqxv"}).content.decode()

    most_read = page[page.index('id="kb-most-read"') :]
    assert "Exporter vos données" in most_read
    assert "Reset your password" in most_read  # nothing in French: the English one
    assert "Export your data" not in most_read  # its French translation stands for it
    assert "Exportar sus datos" not in most_read
