"""The taxonomy in the reader's language: a French partner on Contact Us reads the kinds of
request, the impacts and Akvo Flow's questions in French; a Spanish requester's
acknowledgement names the category in Spanish; what nobody translated shows in English;
an admin writes a translation beside the English; the Contact Us page kept per process
is kept per language."""

from __future__ import annotations

import html
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from catalog.models import Category, Impact, Product
from catalog.report_fields import report_field_text, validate_report_fields
from tests import factories
from tests.desk_helpers import deliver_all, mails_to
from tests.portal_helpers import contact_data

pytestmark = pytest.mark.django_db

AMINA = "amina@partner.example.org"


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(settings):
    settings.PORTAL_MIN_FILL_SECONDS = 0


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def test_a_french_partner_on_contact_us_reads_the_kinds_of_request_and_flows_questions_in_french():
    flow = factories.product("akvo-flow")

    form = page(Client(), "/fr/contact/?product=akvo-flow&category=bug")

    assert "Anomalie" in form
    assert "Demande d'évolution" in form
    assert "Autre" in form  # the product "Other"; brand names stay as they are
    assert "Tableau de bord" in form
    assert "Le tableau de bord Flow (instance) que vous utilisez" in form
    assert "Composez *#06# sur le téléphone pour l'afficher" in form
    # The fragment swapped in when the product changes is in French too.
    fragment = page(Client(), f"/fr/contact/product-fields?product={flow.pk}")
    assert "Identifiant de l'appareil" in fragment
    assert "Device ID" not in fragment


def test_a_french_partner_reads_the_impacts_and_what_they_mean_in_french():
    home = page(Client(), "/fr/")

    assert "Critique" in home
    assert "L'application en production est arrêtée" in home
    assert "Une petite perte de fonctionnalité ou un défaut d'affichage" in home
    assert "The production application is down" not in home
    assert "Collectez des données sur le terrain" in home  # Akvo Flow's description


def test_the_knowledge_base_describes_the_products_in_the_readers_language():
    assert "Nettoyez, analysez et visualisez des données" in page(Client(), "/fr/kb/akvo-lumen/")
    assert "Relate projetos e resultados" in page(Client(), "/pt-br/kb/akvo-rsr/")
    assert "Report on projects and results" in page(Client(), "/kb/akvo-rsr/")


def test_the_review_of_a_french_request_names_its_category_and_flows_fields_in_french():
    client = Client()
    sent = client.post("/fr/contact/", contact_data())
    assert sent.status_code == 302, sent.content.decode()[:2000]

    review = client.get(sent["Location"])

    summary = dict(review.context["summary"])
    assert summary["De quel type de demande s'agit-il ?"] == "Anomalie"
    assert summary["Tableau de bord"] == "akvoflow-uat1"
    assert summary["IMEI"] == "356938035643809"


def test_a_spanish_requesters_acknowledgement_names_the_category_in_spanish():
    client = Client()
    sent = client.post("/es/contact/", contact_data())
    review = client.get(sent["Location"])
    client.post(sent["Location"], {"submission_key": review.context["submission_key"]})

    deliver_all()

    [ack] = mails_to(AMINA)
    [html_body] = [body for body, kind in ack.alternatives if kind == "text/html"]
    assert "Tipo de solicitud: Error" in ack.body
    assert "Tipo de solicitud: Error" in html_body
    assert "Bug" not in ack.body


def test_a_spanish_requesters_ticket_page_names_the_category_in_spanish():
    ticket = factories.TicketFactory(category=factories.category("feature-request"))

    ticket_page = page(Client(), f"/es/t/{ticket.token}/")

    assert "Solicitud de funcionalidad" in ticket_page


def test_what_nobody_translated_shows_in_english():
    training = Category.objects.create(
        name="Training",
        slug="training",
        position=4,
        description="Help to learn the product.",
        translations={"fr": {"name": "Formation", "description": "  "}},
    )
    spec = {
        "name": "site",
        "label": "Site",
        "help": "Where",
        "translations": {"fr": {"label": "Lieu"}},
    }

    with translation.override("es"):
        assert training.display_name == "Training"
    with translation.override("fr"):
        assert training.display_name == "Formation"
        assert training.display_description == "Help to learn the product."  # blank: English
        assert report_field_text(spec, "label") == "Lieu"
        assert report_field_text(spec, "help") == "Where"
    assert report_field_text(spec, "label", "pt-br") == "Site"
    assert "Training" in page(Client(), "/es/")
    assert "Formation" in page(Client(), "/fr/")


def test_a_manager_writes_an_impacts_french_name_beside_the_english_in_the_admin():
    client = Client()
    client.force_login(factories.support_manager())
    low = Impact.objects.get(slug="low")
    url = f"/admin/catalog/impact/{low.pk}/change/"

    form = page(client, url)
    assert "Name (French)" in form
    assert "Definition (Brazilian Portuguese)" in form
    assert 'value="Faible"' in form

    response = client.post(
        url,
        {
            "name": low.name,
            "slug": low.slug,
            "level": low.level,
            "definition": low.definition,
            "is_active": "on",
            "name_fr": "Bas",
            "definition_fr": "Un petit défaut ; le travail continue.",
            "name_es": "",  # cleared: Spanish readers see the English again
            "definition_es": "",
            "name_pt_br": "Baixo",
            "definition_pt_br": low.translations["pt-br"]["definition"],
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    low.refresh_from_db()
    assert low.translations["fr"] == {
        "name": "Bas",
        "definition": "Un petit défaut ; le travail continue.",
    }
    assert "es" not in low.translations
    assert low.translations["pt-br"]["name"] == "Baixo"
    with translation.override("es"):
        assert low.display_name == "Low"


def test_the_admin_offers_every_translated_models_inputs_per_language():
    client = Client()
    client.force_login(factories.support_manager())
    flow = Product.objects.get(slug="akvo-flow")

    product = page(client, f"/admin/catalog/product/{flow.pk}/change/")
    category = page(client, "/admin/catalog/category/add/")
    tag = page(client, "/admin/catalog/issuetag/add/")

    assert "Description (Spanish)" in product
    assert "Collectez des données sur le terrain" in product
    assert '"translations": {"fr": {"label":' in product  # report fields: the JSON editor's help
    assert "Name (Brazilian Portuguese)" in category
    assert "Description (French)" in tag


@pytest.mark.parametrize(
    "translations",
    [
        {"de": {"label": "Armaturenbrett"}},  # not a site language
        {"en": {"label": "Dashboard"}},  # English is the spec's own label
        {"fr": {"name": "tableau"}},  # only the label and help are translated
        {"fr": {"label": 3}},
        ["fr", "Tableau de bord"],
    ],
)
def test_report_fields_with_bad_translations_are_refused(translations):
    flow = factories.product("akvo-flow")
    flow.report_fields = [{"name": "dashboard", "label": "Dashboard", "translations": translations}]

    with pytest.raises(ValidationError) as refused:
        flow.full_clean()

    assert "report_fields" in refused.value.message_dict
    assert "dashboard" in " ".join(refused.value.message_dict["report_fields"])


def test_report_fields_with_their_label_and_help_in_other_languages_are_accepted():
    validate_report_fields(
        [
            {
                "name": "dashboard",
                "label": "Dashboard",
                "help": "Your instance",
                "translations": {"fr": {"label": "Tableau de bord"}, "pt-br": {"help": "Sua"}},
            }
        ]
    )


def test_french_and_english_readers_each_get_their_own_contact_page_from_the_memo(
    django_assert_num_queries,
):
    """The blank fields are rendered once per process, per language: after both languages
    were served, each still gets its own, and neither asks the database anything."""
    flow_pk = factories.product("akvo-flow").pk
    french, english = Client(), Client()
    fragment = f"contact/product-fields?product={flow_pk}"
    for client, prefix in ((french, "/fr/"), (english, "/")):
        page(client, f"{prefix}contact/")
        page(client, f"{prefix}{fragment}")

    with django_assert_num_queries(0):
        french_form = page(french, "/fr/contact/")
        english_form = page(english, "/contact/")
        french_fields = page(french, f"/fr/{fragment}")
        english_fields = page(english, f"/{fragment}")

    assert "Anomalie" in french_form
    assert "Autre" in french_form
    assert "Anomalie" not in english_form
    assert "Feature request" in english_form
    assert "Feature request" not in french_form
    assert "Tableau de bord" in french_fields
    assert "Device ID" not in french_fields
    assert "Device ID" in english_fields
    assert "Tableau de bord" not in english_fields


def test_an_installed_database_got_the_default_translations_but_not_for_rewritten_text():
    """catalog 0003 translated the default rows; it leaves an admin's own wording alone."""
    with translation.override("pt-br"):
        assert Impact.objects.get(slug="significant").display_name == "Significativo"
    bug = Category.objects.get(slug="bug")
    bug.name, bug.translations = "Defect", {}
    bug.save()
    flow = Product.objects.get(slug="akvo-flow")
    flow.report_fields = [
        {
            "name": "dashboard",
            "label": "Flow instance",
            "help": "The Flow dashboard (instance) you use",
        }
    ]
    flow.save()

    migration = importlib.import_module("catalog.migrations.0003_default_translations")
    migration.translate_defaults(apps, None)

    bug.refresh_from_db()
    assert "name" not in bug.translations["fr"]
    assert bug.translations["fr"]["description"] == "Quelque chose ne fonctionne pas comme prévu."
    flow.refresh_from_db()
    [dashboard] = flow.report_fields
    assert dashboard["translations"]["es"] == {"help": "El dashboard de Flow (instancia) que usa"}
