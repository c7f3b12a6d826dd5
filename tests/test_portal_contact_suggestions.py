"""Contact Us suggests articles while the request is typed: an htmx partial, no imitation."""

from __future__ import annotations

import pytest

from kb.models import Status, SuggestionEvent, SuggestionKind, Visibility
from tests import factories
from tests import kb_factories as kb

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def export():
    return kb.article(
        "Export your survey data",
        summary="Download responses as a spreadsheet.",
        body="Open Data, then Export. Large exports run in the background.",
    )


def test_htmx_asks_for_suggestions_and_gets_a_partial_from_what_was_typed(client, export):
    response = client.get(
        "/contact/suggestions",
        {"subject": "Export", "description": "of survey data", "what_doing": "", "actual": ""},
        **HTMX,
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert "Export your survey data" in page
    assert 'href="/kb/go/' in page  # the click-through, so following it is counted
    assert f'form="answered-form" name="article" value="{export.pk}"' in page
    assert 'name="q" value="Export of survey data" form="answered-form"' in page
    assert "HX-Request" in response["Vary"]
    shown = SuggestionEvent.objects.get(kind=SuggestionKind.IMPRESSION)
    assert (shown.article, shown.source, shown.query) == (
        export,
        "contact_form",
        "Export of survey data",
    )


def test_the_same_suggestion_shown_again_while_typing_is_counted_once(client, export):
    for typed in ("Export surv", "Export survey", "Export survey data"):
        client.get("/contact/suggestions", {"subject": typed}, **HTMX)

    assert SuggestionEvent.objects.filter(kind=SuggestionKind.IMPRESSION).count() == 1


def test_a_few_letters_or_no_match_give_an_empty_partial(client, export):
    for typed in ("Ex", "zebra crossings"):
        response = client.get("/contact/suggestions", {"subject": typed}, **HTMX)
        assert response.status_code == 200
        assert "Export your survey data" not in response.content.decode()
    assert not SuggestionEvent.objects.exists()


def test_suggestions_keep_to_the_chosen_product_and_hide_internal_articles(client, export):
    kb.article("Export dashboards", body="Export a dashboard.", product="akvo-lumen")
    kb.article("Export internals", body="Export queue notes.", visibility=Visibility.INTERNAL)
    flow = factories.product("akvo-flow")

    page = client.get(
        "/contact/suggestions", {"subject": "export", "product": str(flow.pk)}, **HTMX
    ).content.decode()

    assert "Export your survey data" in page
    assert "Export dashboards" not in page
    assert "Export internals" not in page


def test_without_htmx_the_suggestions_address_is_the_knowledge_base_search(client, export):
    response = client.get("/contact/suggestions", {"subject": "Export", "description": "data"})

    assert response.status_code == 302
    assert response["Location"] == "/kb/search/?q=Export+data"
    assert not SuggestionEvent.objects.exists()


def test_the_contact_page_uses_htmx_from_our_own_static_files(client):
    page = client.get("/contact/").content.decode()

    assert 'src="/static/vendor/htmx/htmx.min.js"' in page
    assert 'hx-get="/contact/suggestions"' in page
    assert 'hx-get="/contact/product-fields"' in page
    assert "//cdn" not in page
    assert client.get("/static/vendor/htmx/htmx.min.js").status_code == 200
    script = b"".join(client.get("/static/js/contact.js").streaming_content).decode()
    assert "HX-Request" not in script
    assert "fetch(" not in script


def test_a_french_partner_is_offered_the_french_article_and_an_english_one_marked_as_such(client):
    from kb import translations

    original = kb.article(
        "Export your survey data", body="Open Data, then Export. Exports run in the background."
    )
    translations.article_translate(
        original=original,
        language="fr",
        title="Exporter les données d'une enquête",
        body="Ouvrez Données, puis Exporter. Les exports se font en arrière-plan.",
        status=Status.PUBLISHED,
        by=None,
    )
    kb.article("Export project results", body="Open the project and export its results.")

    french = client.get("/fr/contact/suggestions", {"subject": "exporter enquête"}, **HTMX)
    english = client.get("/fr/contact/suggestions", {"subject": "export project"}, **HTMX)

    assert "Exporter les données d&#x27;une enquête" in french.content.decode()
    assert "Export your survey data" not in french.content.decode()  # its translation is shown
    marked = english.content.decode()
    assert "Export project results" in marked
    assert 'data-suggestion lang="en"' in marked
    assert 'lang="fr"> (' in marked  # the hidden "(opens in a new tab)" stays in French
