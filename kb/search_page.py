"""What a search page offers when nothing matched, so a visitor is never left at a dead end.

The most-read articles (of the chosen product, or of every product; in the
reader's language or English, one per subject as search shows them) and the way
to Contact Us with the product and the words they searched already filled in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.urls import reverse

from kb.localised import listed_in_language, most_read_first
from kb.models import Article
from kb.search_terms import reader_language

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from catalog.models import Product

MOST_READ = 5


def most_read(
    user: User | AnonymousUser | None,
    product: Product | None,
    limit: int = MOST_READ,
    language: str | None = None,
) -> list[Article]:
    """The articles this visitor may see that are read most (``view_count``), one query."""
    # What the KB's own lists show, in their order: a translation ranks by its original.
    reader = reader_language(language)
    articles = listed_in_language(user, reader)
    if product is not None:
        articles = articles.filter(product=product)
    return list(
        articles.select_related("product")
        .defer("body", "body_html", "body_text", "search_vector")
        .order_by(*most_read_first(reader))[:limit]
    )


def contact_url(query: str, product: Product | None) -> str:
    """Contact Us with the product chosen and the search as the subject (portal reads both)."""
    params = {"product": product.slug} if product is not None else {}
    if query:
        params["q"] = query
    url = reverse("portal:contact")
    return f"{url}?{urlencode(params)}" if params else url
