"""A partner who reads French (or Spanish) finds help and files a bug in their language.

Chromium sends the browser's ``Accept-Language``; the home page sends her to the
portal in her language. She searches the knowledge base for a word of her
language and for a misspelt one, reads the demo article translated into it,
taps Contact Us from it, reports a bug through the review step, and receives the
acknowledgement in her language, whose link opens her ticket page on the port
the help desk is running on. Every label the test looks for is read from the
catalogues (``gettext`` in that language), so the test proves the page says it in
her language, whatever the translators' wording. Screenshots go under
``TEST_ARTIFACTS_DIR``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from catalog.models import Category
from demo.kb import seed_kb_demo
from kb.models import Article
from tests.browser.chromium import new_page, snap
from tests.portal_helpers import deliver_all
from tickets.models import Ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@dataclass(frozen=True)
class Reader:
    language: str  # the site's code, as in the address (/fr/)
    browser_locale: str  # what Chromium sends in Accept-Language
    word: str  # a word of the language that the translated article holds
    misspelt: str  # the same search, mistyped
    article_slug: str  # the translation of "export-your-data", in demo/articles
    name: str
    email: str
    story: tuple[str, str, str, str]  # doing, expected, happened, steps


FRENCH = Reader(
    "fr",
    "fr-FR",
    "données",
    "exportr",
    "exporter-vos-donnees",
    "Awa Diallo",
    "awa@ong.example.sn",
    (
        "J'exportais les réponses brutes de l'enquête sur les ménages.",
        "Un tableur à télécharger.",
        "La barre de progression s'arrête à 50 % et rien ne se passe, même après dix minutes.",
        "1. Données > Exporter des rapports\n2. Enquête ménages\n3. Exporter",
    ),
)
SPANISH = Reader(
    "es",
    "es-419",
    "exportar",
    "exprotar",
    "exportar-sus-datos",
    "Lucía Quispe",
    "lucia@ong.example.pe",
    (
        "Estaba exportando los datos brutos de la encuesta de hogares.",
        "Una hoja de cálculo para descargar.",
        "La barra de progreso se detiene en 50 % y no pasa nada más, ni después de diez minutos.",
        "1. Datos > Exportar informes\n2. Encuesta de hogares\n3. Exportar",
    ),
)


def said(reader: Reader, english: str) -> str:
    """``english`` as the catalogues put it in the reader's language (never left in English)."""
    with translation.override(reader.language):
        text = gettext(english)
    assert text != english, f"{english!r} has no {reader.language} translation"
    return text


def category_name(reader: Reader, slug: str) -> str:
    with translation.override(reader.language):
        return Category.objects.get(slug=slug).display_name


@pytest.fixture
def demo_kb():
    seed_kb_demo()


def she_searches_in_her_language(page, url: str, reader: Reader, title: str) -> None:
    page.goto(url + "/")
    page.wait_for_url(re.compile(rf"/{reader.language}/$"))
    assert page.locator("html").get_attribute("lang") == reader.language
    for query in (reader.word, reader.misspelt):
        search = page.get_by_role("searchbox").first
        search.fill(query)
        search.press("Enter")
        page.wait_for_url(re.compile(rf"/{reader.language}/kb/search/"))
        assert page.get_by_role("main").get_by_role("link", name=title).first.is_visible(), query
        snap(page, f"lang-{reader.language}", f"1-search-{query}")


def she_reads_the_translated_article(page, reader: Reader, title: str) -> None:
    page.get_by_role("main").get_by_role("link", name=title).first.click()
    page.wait_for_url(re.compile(rf"/{reader.language}/kb/akvo-flow/.*{reader.article_slug}/$"))
    assert page.get_by_role("heading", level=1).inner_text() == title
    snap(page, f"lang-{reader.language}", "2-article")
    page.get_by_role("main").get_by_role("link", name=said(reader, "Contact Us")).first.click()
    page.wait_for_url(re.compile(rf"/{reader.language}/contact/\?product=akvo-flow$"))


def she_reports_a_bug(page, reader: Reader) -> None:
    page.get_by_label(category_name(reader, "bug"), exact=True).check()
    page.get_by_label(said(reader, "Your name")).fill(reader.name)
    page.get_by_label(said(reader, "Email address")).fill(reader.email)
    page.get_by_label(said(reader, "Subject")).fill("Export")
    doing, expected, happened, steps = reader.story
    page.get_by_label(said(reader, "What were you doing?")).fill(doing)
    page.get_by_label(said(reader, "What did you expect to happen?")).fill(expected)
    page.get_by_label(said(reader, "What actually happened?")).fill(happened)
    page.get_by_label(said(reader, "Steps to reproduce")).fill(steps)
    snap(page, f"lang-{reader.language}", "3-filled-in")
    page.get_by_role("button", name=said(reader, "Review my request")).click()
    review = page.locator("#page-review")
    review.wait_for()
    snap(page, f"lang-{reader.language}", "4-review")
    with page.expect_navigation():
        review.get_by_role("button", name=said(reader, "Send my request")).click()
    page.locator("#ticket-reference").wait_for()


def her_acknowledgement_is_in_her_language(page, url: str, reader: Reader) -> None:
    ticket = Ticket.objects.get()
    assert ticket.requester.language == reader.language
    deliver_all()
    [ack] = mail.outbox
    assert ack.extra_headers["Content-Language"] == reader.language
    assert said(reader, "We received your support request") in ack.subject
    assert category_name(reader, "bug") in ack.body
    link = re.search(r"https?://\S+/t/[A-Za-z0-9_-]{32}/", ack.body).group(0)
    assert link.startswith(f"{url}/{reader.language}/t/"), link
    page.goto(link)
    assert ticket.reference in page.content()
    assert page.locator("html").get_attribute("lang") == reader.language
    snap(page, f"lang-{reader.language}", "5-ticket-page")


@pytest.mark.parametrize("reader", [FRENCH, SPANISH], ids=["french", "spanish"])
def test_a_partner_finds_help_and_reports_a_bug_in_her_language(
    browser, live_server, settings, demo_kb, reader
):
    settings.PORTAL_MIN_FILL_SECONDS = 0
    settings.SITE_URL = live_server.url
    title = Article.objects.get(language=reader.language, slug=reader.article_slug).title
    page = new_page(browser, width=1280, height=900, locale=reader.browser_locale)
    try:
        she_searches_in_her_language(page, live_server.url, reader, title)
        she_reads_the_translated_article(page, reader, title)
        she_reports_a_bug(page, reader)
        her_acknowledgement_is_in_her_language(page, live_server.url, reader)
    finally:
        page.context.close()
