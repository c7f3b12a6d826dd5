"""GET /api/v1/kb/…: sections, articles, one article with its body, and search.

A token reads what the public portal shows (published, public articles); a
staff session reads internal articles too, as on the portal when signed in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema

from api.auth import scoped
from api.models import ApiToken
from api.pagination import PageQuery, keyset_page
from api.problems import Problem
from api.schemas import ArticleDetailOut, ArticlePage, SearchOut, SectionPage
from api.scopes import KB_READ
from catalog.models import Product
from kb.localised import article_url
from kb.models import QUERY_MAX_LENGTH, Article, Section
from kb.search import search_articles

router = Router(tags=["kb"], auth=scoped(KB_READ))

# The site's languages, as the schema's enum: another code is refused (422).
if TYPE_CHECKING:
    Language = str
else:
    Language = Literal[tuple(code for code, _name in settings.LANGUAGES)]
SEARCH_LIMIT = 20


SLUG = r"^[-a-zA-Z0-9_]+$"


class SectionFilter(PageQuery):
    product: str | None = Field(None, max_length=80, pattern=SLUG, description="A product's slug.")


class ArticleFilter(PageQuery):
    product: str | None = Field(None, max_length=80, pattern=SLUG, description="A product's slug.")
    section: int | None = Field(None, ge=1, le=2**63 - 1)
    language: Language | None = None


class SearchQuery(Schema):
    q: str = Field(..., max_length=QUERY_MAX_LENGTH)
    product: str | None = Field(None, max_length=80, pattern=SLUG, description="A product's slug.")
    language: Language | None = Field(None, description="The reader's; English is searched too.")


def reader(request: HttpRequest) -> User | None:
    """Whose eyes the KB is read with: a token reads as the public does."""
    auth = request.auth  # type: ignore[attr-defined]
    return None if isinstance(auth, ApiToken) else auth


def article_out(article: Article) -> dict:
    return {
        "id": article.pk,
        "product": article.product.slug,
        "section": article.section_id,
        "language": article.language,
        "translation_of": article.translation_of_id,
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "tags": article.tag_list,
        "visibility": article.visibility,
        "published_at": article.published_at,
        "updated_at": article.updated_at,
        "url": article_url(article),
    }


def _articles(request: HttpRequest) -> QuerySet[Article]:
    return Article.objects.listed_for(reader(request)).select_related("product")


@router.get("/sections", response={200: SectionPage, 400: Problem}, operation_id="kb_sections_list")
def sections_list(request: HttpRequest, filters: Query[SectionFilter]) -> dict:
    """The sections of the knowledge base, product by product."""
    sections = Section.objects.select_related("product")
    if filters.product:
        sections = sections.filter(product__slug=filters.product)
    items, following = keyset_page(request, sections, filters, ("id",))
    return {
        "items": [
            {
                "id": s.pk,
                "product": s.product.slug,
                "slug": s.slug,
                "title": s.title,
                "description": s.description,
                "position": s.position,
                "translations": s.translations or {},
            }
            for s in items
        ],
        "next": following,
    }


@router.get("/articles", response={200: ArticlePage, 400: Problem}, operation_id="kb_articles_list")
def articles_list(request: HttpRequest, filters: Query[ArticleFilter]) -> dict:
    """Published articles, filtered by product, section and language."""
    articles = _articles(request)
    if filters.product:
        articles = articles.filter(product__slug=filters.product)
    if filters.section:
        articles = articles.filter(section_id=filters.section)
    if filters.language:
        articles = articles.filter(language=filters.language)
    items, following = keyset_page(request, articles, filters, ("id",))
    return {"items": [article_out(a) for a in items], "next": following}


@router.get(
    "/articles/{article_id}",
    response={200: ArticleDetailOut, 404: Problem},
    operation_id="kb_article_get",
)
def article_get(request: HttpRequest, article_id: int = Path(..., ge=1, le=2**63 - 1)) -> dict:
    """One article with its body as sanitised HTML."""
    article = get_object_or_404(_articles(request), pk=article_id)
    return {**article_out(article), "body_html": article.safe_body_html}


@router.get("/search", response={200: SearchOut}, operation_id="kb_search")
def search(request: HttpRequest, query: Query[SearchQuery]) -> dict:
    """The articles that best answer ``q``, best first, in the reader's language or English."""
    product = Product.objects.filter(slug=query.product).first() if query.product else None
    if query.product and product is None:
        return {"query": query.q, "language": query.language or "en", "method": "", "results": []}
    result = search_articles(
        query.q,
        user=reader(request),
        product=product,
        limit=SEARCH_LIMIT,
        language=query.language or settings.LANGUAGE_CODE,
    )
    return {
        "query": result.query,
        "language": result.language,
        "method": result.method,
        "results": [
            {
                "article": article_out(hit.article),
                "score": hit.score,
                "snippet": str(hit.snippet),
                "fallback": hit.fallback,
            }
            for hit in result.hits
        ],
    }
