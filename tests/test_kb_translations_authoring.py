"""Authors translate the knowledge base: in the back office (an original's translations,
"Add translation", filters, section titles per language) and in the demo's files."""

from __future__ import annotations

import re

import pytest

from demo import kb as demo_kb
from demo.kb import SECTIONS, seed_kb_demo
from kb.models import Article, Section, Status, Visibility
from tests import factories
from tests import kb_factories as kb

pytestmark = pytest.mark.django_db


@pytest.fixture
def export():
    return kb.article("Export your data", body="## Start an export\n\nOpen **Data**.")


@pytest.fixture
def exporter(export):
    return kb.translation(export, "Exporter vos données", slug="exporter-vos-donnees")


# The back office -----------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(factories.UserFactory(username="editor", is_superuser=True))
    return client


def translation_form(original, **changes):
    data = {
        "title": "Exporter vos données",
        "slug": "exporter-vos-donnees",
        "language": "fr",
        "translation_of": original.pk,
        "product": original.product_id,
        "section": original.section_id,
        "summary": "Téléchargez les réponses.",
        "body": "Ouvrez **Données**.",
        "tags": "export",
        "status": Status.DRAFT,
        "visibility": "public",
        "position": 0,
        "change_note": "",
        "revisions-TOTAL_FORMS": 0,
        "revisions-INITIAL_FORMS": 0,
        "revisions-MIN_NUM_FORMS": 0,
        "revisions-MAX_NUM_FORMS": 0,
    }
    data.update(changes)
    return data


def test_an_editor_adds_a_french_translation_from_the_originals_page(admin_client, export):
    page = admin_client.get(f"/admin/kb/article/{export.pk}/change/").content.decode()
    links = dict(re.findall(r'href="(/admin/kb/article/add/\?[^"]+)">(Add translation)<', page))
    assert len(links) == 3  # French, Spanish, Brazilian Portuguese
    french_link = next(link for link in links if "language=fr" in link).replace("&amp;", "&")

    form = admin_client.get(french_link).content.decode()
    assert re.search(r'<option value="fr" selected>', form)
    assert f'name="translation_of" value="{export.pk}"' in form
    assert re.search(rf'<option value="{export.section_id}" selected>', form)

    created = admin_client.post("/admin/kb/article/add/", translation_form(export))
    assert created.status_code == 302, created.content.decode()[:3000]
    french = Article.objects.get(language="fr")
    assert (french.translation_of_id, french.section_id) == (export.pk, export.section_id)
    assert "<strong>Données</strong>" in french.body_html
    assert french.revisions.get().editor.username == "editor"

    page = admin_client.get(f"/admin/kb/article/{export.pk}/change/").content.decode()
    assert f'href="/admin/kb/article/{french.pk}/change/">Exporter vos données</a>' in page
    assert page.count(">Add translation<") == 2


def test_a_second_french_translation_is_refused_on_the_form(admin_client, export, exporter):
    response = admin_client.post(
        "/admin/kb/article/add/", translation_form(export, slug="encore", title="Encore")
    )

    assert response.status_code == 200
    assert Article.objects.filter(language="fr").count() == 1


def test_an_english_translation_is_refused_on_the_form(admin_client, export):
    response = admin_client.post("/admin/kb/article/add/", translation_form(export, language="en"))

    assert response.status_code == 200
    assert "A translation is written in a language other than English" in (
        response.content.decode()
    )
    assert Article.objects.count() == 1


def test_the_article_list_shows_and_filters_languages_and_what_is_untranslated(
    admin_client, export, exporter
):
    kb.article("Clean your data")

    french = admin_client.get("/admin/kb/article/?language__exact=fr").content.decode()
    waiting = admin_client.get("/admin/kb/article/?untranslated=fr").content.decode()
    translations = admin_client.get("/admin/kb/article/?kind=translation").content.decode()

    assert "Exporter vos données" in french
    assert "Clean your data" not in french
    assert "Clean your data" in waiting
    assert ">Export your data<" not in waiting
    assert "Exporter vos données" in translations
    assert "Clean your data" not in translations


def test_view_on_site_of_a_draft_translation_is_its_french_preview(admin_client, export):
    draft = kb.translation(export, "Exporter", slug="exporter", status=Status.DRAFT)

    page = admin_client.get(f"/admin/kb/article/{draft.pk}/change/").content.decode()

    assert re.search(r'href="/fr/kb/akvo-flow/articles/exporter/"[^>]*>View on site', page)
    preview = admin_client.get("/fr/kb/akvo-flow/articles/exporter/")
    assert preview.status_code == 200
    assert "Exporter" in preview.content.decode()


def test_section_titles_are_edited_per_language_and_packed(admin_client):
    section = kb.section()
    data = {
        "product": section.product_id,
        "title": section.title,
        "slug": section.slug,
        "description": "Download and clean.",
        "position": 0,
        "title_fr": " Données et exports ",
        "description_fr": "Télécharger et nettoyer.",
        "title_es": "Datos y exportaciones",
        "description_es": "",
        "title_pt_br": "",
        "description_pt_br": "",
    }
    form = admin_client.get(f"/admin/kb/section/{section.pk}/change/").content.decode()
    # The inputs are the taxonomy's (catalog.translation_admin): one per field and language.
    assert "Title (French)" in form
    assert "Description (Brazilian Portuguese)" in form
    inputs = set(re.findall(r'name="((?:title|description)_[a-z_]+)"', form))
    assert inputs == {name for name in data if "_" in name}  # title_fr … description_pt_br

    response = admin_client.post(f"/admin/kb/section/{section.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    section.refresh_from_db()
    assert section.translations == {
        "fr": {"title": "Données et exports", "description": "Télécharger et nettoyer."},
        "es": {"title": "Datos y exportaciones"},
    }
    page = admin_client.get(f"/admin/kb/section/{section.pk}/change/").content.decode()
    assert 'value="Datos y exportaciones"' in page


# The demo ------------------------------------------------------------------------


@pytest.fixture
def demo_dir(tmp_path, monkeypatch):
    """A copy of two demo originals, with translations written here for the test."""

    for name in ("export-your-data", "triage-sync-problems"):
        target = tmp_path / "akvo-flow" / f"{name}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text((demo_kb.ARTICLES_DIR / "akvo-flow" / f"{name}.md").read_text())
    write_translation(
        tmp_path,
        "fr",
        "exporter-vos-donnees",
        "translation_of: export-your-data\ntitle: Exporter vos données\n"
        "summary: Téléchargez les réponses dans un tableur.\ntags: export, excel",
    )
    write_translation(
        tmp_path,
        "pt-br",
        "triagem-de-problemas-de-sincronizacao",
        "translation_of: triage-sync-problems\ntitle: Triagem de problemas de sincronização\n"
        "summary: Para a equipe de suporte.\ntags: sincronização",
    )
    write_translation(
        tmp_path, "es", "huerfano", "translation_of: no-such-article\ntitle: Huérfano\nsummary: x"
    )
    monkeypatch.setattr(demo_kb, "ARTICLES_DIR", tmp_path)
    return tmp_path


def write_translation(root, language, slug, header):
    target = root / "akvo-flow" / language / f"{slug}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(f"{header}\n\n## Étapes\n\nOuvrez **Données**.\n", encoding="utf-8")


def test_the_demo_loads_translations_after_their_originals_published_like_them(demo_dir):
    report = seed_kb_demo()

    assert (report.articles_created, report.translations_created) == (2, 2)
    french = Article.objects.get(language="fr")
    assert french.translation_of.slug == "export-your-data"
    assert french.status == Status.PUBLISHED
    assert french.section_id == french.translation_of.section_id
    assert french.tags == "export, excel"
    assert "<strong>Données</strong>" in french.body_html
    assert french.published_at > french.translation_of.published_at
    triage = Article.objects.get(language="pt-br")
    assert triage.visibility == triage.translation_of.visibility == Visibility.INTERNAL
    assert not Article.objects.filter(language="es").exists()  # its original is not there


def test_seeding_translations_again_adds_nothing_and_keeps_edits(demo_dir):
    seed_kb_demo()
    Article.objects.filter(language="fr").update(title="Exporter (modifié)")

    report = seed_kb_demo()

    assert report.translations_created == 0
    assert Article.objects.get(language="fr").title == "Exporter (modifié)"
    assert Article.objects.count() == 4


def test_demo_sections_have_titles_in_every_language_and_admins_edits_stay(client, demo_dir):
    seed_kb_demo()
    data = Section.objects.get(product__slug="akvo-flow", slug="data")
    data.translations = {"fr": {"title": "Nos données"}}
    data.save()
    seed_kb_demo()

    data.refresh_from_db()
    assert data.translations["fr"] == {"title": "Nos données"}
    assert data.translations["es"]["title"] == "Datos y exportaciones"
    for section in Section.objects.exclude(pk=data.pk):
        assert set(section.translations) == {"fr", "es", "pt-br"}, section
        assert all(t["title"] and t["description"] for t in section.translations.values())
    assert Section.objects.count() == len(SECTIONS)
    page = client.get("/pt-br/kb/akvo-flow/").content.decode()
    assert "Dados e exportações" in page
