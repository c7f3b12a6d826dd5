"""GET /api/v1/taxonomy/…: the products, categories, impacts and issue tags in use.

English in the plain fields, every other language in ``translations``: a client
shows the one it wants, falling back to English, as the portal does.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from api.auth import scoped
from api.pagination import PageQuery, keyset_page
from api.problems import Problem
from api.schemas import CategoryPage, ImpactPage, IssueTagPage, ProductPage
from api.scopes import KB_READ, TICKETS_READ
from catalog.models import Category, Impact, IssueTag, Product

# The taxonomy is what both a KB reader and a ticket reader need to make sense of
# what they read: either scope will do.
router = Router(tags=["taxonomy"], auth=scoped(KB_READ, TICKETS_READ))


def _page(request: HttpRequest, rows: Any, page: PageQuery, order: tuple[str, ...]) -> dict:
    items, following = keyset_page(request, rows, page, order)
    return {"items": items, "next": following}


@router.get("/products", response={200: ProductPage, 400: Problem}, operation_id="products_list")
def products_list(request: HttpRequest, page: Query[PageQuery]) -> dict:
    """The products we support, in the portal's order."""
    return _page(request, Product.objects.active(), page, ("position", "id"))


@router.get(
    "/categories", response={200: CategoryPage, 400: Problem}, operation_id="categories_list"
)
def categories_list(request: HttpRequest, page: Query[PageQuery]) -> dict:
    """Bug, question, feature request…"""
    return _page(request, Category.objects.active(), page, ("position", "id"))


@router.get("/impacts", response={200: ImpactPage, 400: Problem}, operation_id="impacts_list")
def impacts_list(request: HttpRequest, page: Query[PageQuery]) -> dict:
    """How badly a request hurts the partner; level 1 is the most severe."""
    return _page(request, Impact.objects.active(), page, ("level", "id"))


@router.get(
    "/issue-tags", response={200: IssueTagPage, 400: Problem}, operation_id="issue_tags_list"
)
def issue_tags_list(request: HttpRequest, page: Query[PageQuery]) -> dict:
    """What a request is about, e.g. data export."""
    return _page(request, IssueTag.objects.active(), page, ("name", "id"))
