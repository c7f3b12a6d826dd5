"""Knowledge base rows for tests, made through the services as authors make them."""

from __future__ import annotations

from django.contrib.auth.models import User

from kb import services, translations
from kb.models import Article, Section, Status, Visibility
from tests import factories


def section(
    product: str = "akvo-flow", slug: str = "data", title: str = "Data and exports"
) -> Section:
    found, _ = Section.objects.get_or_create(
        product=factories.product(product), slug=slug, defaults={"title": title}
    )
    return found


def article(
    title: str = "Export your data",
    *,
    body: str = "Open the dashboard and choose Export.",
    summary: str = "",
    tags: str = "",
    product: str = "akvo-flow",
    in_section: Section | None = None,
    status: str = Status.PUBLISHED,
    visibility: str = Visibility.PUBLIC,
    by: User | None = None,
) -> Article:
    where = in_section or section(product)
    return services.article_save(
        article=Article(
            product=where.product,
            section=where,
            title=title,
            summary=summary,
            body=body,
            tags=tags,
            status=status,
            visibility=visibility,
        ),
        by=by,
    )


def translation(
    original: Article,
    title: str,
    *,
    language: str = "fr",
    slug: str = "",
    body: str = "Ouvrez le tableau de bord et choisissez Exporter.",
    summary: str = "",
    status: str = Status.PUBLISHED,
    visibility: str | None = None,
    by: User | None = None,
) -> Article:
    return translations.article_translate(
        original=original,
        language=language,
        title=title,
        slug=slug,
        body=body,
        summary=summary,
        status=status,
        visibility=visibility,
        by=by,
    )
