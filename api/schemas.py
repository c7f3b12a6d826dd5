"""What the API's read endpoints answer with (pydantic, through ninja)."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema

# {"fr": {"name": "…"}}: the other languages' text; English is in the plain fields.
Translations = dict[str, dict[str, str]]


class ProductOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    position: int
    translations: Translations


class CategoryOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    position: int
    translations: Translations


class ImpactOut(Schema):
    id: int
    slug: str
    name: str
    level: int
    definition: str
    translations: Translations


class IssueTagOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    translations: Translations


class SectionOut(Schema):
    id: int
    product: str  # the product's slug
    slug: str
    title: str
    description: str
    position: int
    translations: Translations


class ArticleOut(Schema):
    id: int
    product: str  # the product's slug
    section: int
    language: str
    translation_of: int | None
    title: str
    slug: str
    summary: str
    tags: list[str]
    visibility: str
    published_at: datetime | None
    updated_at: datetime
    url: str  # the article's page on the portal


class ArticleDetailOut(ArticleOut):
    body_html: str


class SearchHitOut(Schema):
    article: ArticleOut
    score: float
    snippet: str  # escaped text, the matched words wrapped in <mark>
    fallback: bool  # an English article shown for want of one in the asked language


class SearchOut(Schema):
    query: str
    language: str
    method: str
    results: list[SearchHitOut]


class ProductPage(Schema):
    items: list[ProductOut]
    next: str | None


class CategoryPage(Schema):
    items: list[CategoryOut]
    next: str | None


class ImpactPage(Schema):
    items: list[ImpactOut]
    next: str | None


class IssueTagPage(Schema):
    items: list[IssueTagOut]
    next: str | None


class SectionPage(Schema):
    items: list[SectionOut]
    next: str | None


class ArticlePage(Schema):
    items: list[ArticleOut]
    next: str | None
