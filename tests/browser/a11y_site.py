"""The small help desk the accessibility audits walk through: articles, a ticket, an agent.

One of the articles is the kind that used to push a phone's page sideways: a long
command, a wide table, a wide screenshot and a long address, as support writes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kb.models import Article, ArticleImage
from tests import factories
from tests import kb_factories as kb
from tests.desk_helpers import deliver_all, ticket_from
from tests.portal_helpers import png_bytes
from tickets.models import Ticket

LONG_COMMAND = (
    "curl -H 'Authorization: Bearer $TOKEN' 'https://flow.example.org/api/v1/surveys/"
    "household-survey-2026/instances?format=xlsx&include=all_questions,repeat_groups,geo"
    "&since=2026-01-01T00:00:00Z&until=2026-12-31T23:59:59Z&page_size=5000'"
)
LONG_ADDRESS = (
    "https://flow.example.org/dashboard/#/surveys/household-survey-2026/exports/"
    "raw-data-with-all-repeat-groups-and-cascading-option-lists"
)


@dataclass
class Site:
    """What the audited pages show."""

    product_slug: str
    article: Article
    wide_article: Article
    ticket: Ticket


def a_wide_screenshot() -> ArticleImage:
    return ArticleImage.objects.create(
        image=SimpleUploadedFile("export-dialog.png", png_bytes((1600, 240)), "image/png"),
        alt_text="The export dialog with every option ticked",
    )


def wide_article_body(image: ArticleImage) -> str:
    columns = " | ".join(f"Question group {n} (repeat)" for n in range(1, 9))
    cells = " | ".join("household_member_age_in_completed_years" for _ in range(8))
    return (
        "Large exports can also be fetched from the API:\n\n"
        f"```\n{LONG_COMMAND}\n```\n\n"
        f"The export lists every question group:\n\n| {columns} |\n"
        f"|{'---|' * 8}\n| {cells} |\n\n"
        f"![{image.alt_text}]({image.get_absolute_url()})\n\n"
        f"Bookmark the export page: {LONG_ADDRESS}\n\n"
        f"Or use the inline command `{LONG_COMMAND}` from a terminal.\n"
    )


def a_small_site() -> Site:
    """Two published Akvo Flow articles and a requester's open ticket."""
    section = kb.section("akvo-flow")
    article = kb.article(
        "Exporting survey data from the dashboard",
        body="Open **Data > Export**, choose the survey and the raw data export.",
        summary="How to download your survey's submissions as a spreadsheet.",
        tags="export, data",
        in_section=section,
    )
    wide = kb.article(
        "Exporting survey data with the API",
        body=wide_article_body(a_wide_screenshot()),
        summary="For exports too large for the dashboard.",
        tags="export, api",
        in_section=section,
    )
    ticket = ticket_from("grace@partner.example.org", name="Grace Otieno")
    deliver_all()
    return Site("akvo-flow", article, wide, ticket)


def public_paths(site: Site) -> dict[str, str]:
    """Every public page a partner reaches without typing into a form, by name."""
    product = site.product_slug
    return {
        "portal home": reverse("portal:home"),
        "KB home": reverse("kb:home"),
        "KB product page": reverse("kb:product", args=[product]),
        "KB section page": site.article.section.get_absolute_url(),
        "article": site.article.get_absolute_url(),
        "article with a long command, a wide table and a wide screenshot": (
            site.wide_article.get_absolute_url()
        ),
        "KB search results": reverse("kb:search") + "?q=export+survey",
        "KB search without results": reverse("kb:search") + "?q=zzyzx+quux",
        "Contact Us": reverse("portal:contact"),
        "lost link": reverse("portal:lost_link"),
        "requester's ticket page": reverse("portal:ticket", args=[site.ticket.token]),
        "404 page": reverse("kb:article", args=["no-such-product", "no-such-article"]),
    }


def an_l1_agent():
    return factories.l1_agent(username="amina.agent", first_name="Amina", last_name="Wanjiru")
