"""The knowledge base's search page, the suggestion endpoint, its click-through, images.

Thin: each view reads its input, asks ``Article.objects`` / ``kb.search`` or
one service, and renders. What a visitor may see is decided by
``listed_for`` / ``viewable_by``; anything else is a 404. The reading pages
(home, product, section, article) are in ``kb.pages``.
"""

from __future__ import annotations

import re

from django.core.files.storage import default_storage
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.html import strip_tags
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from catalog.models import Product
from kb import services
from kb.localised import listed_in_language
from kb.models import Article, ArticleImage, SuggestionSource
from kb.search import SearchResult, clean_query, search_articles
from kb.search_page import contact_url, most_read
from kb.tracking import Visitor, click_url, first_click, read_click, record_suggestions_shown

SEARCH_RESULTS = 25
SUGGEST_DEFAULT = 5
SUGGEST_MAX = 10
_IMAGE_NAME = re.compile(r"^[0-9a-f]{32}\.[a-z0-9]{1,7}$")


def _is_staff(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated and request.user.is_staff)


def _products_with_articles(request: HttpRequest) -> list[Product]:
    """Active products annotated with how many articles this visitor can find in them.

    One per subject in the reader's language: a translated article counts once.
    """
    counts = (
        listed_in_language(request.user, get_language())
        .filter(product=OuterRef("pk"))
        .order_by()
        .values("product")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        Product.objects.active().annotate(
            article_count=Coalesce(Subquery(counts, output_field=IntegerField()), 0)
        )
    )


def _pick_product(products: list[Product], slug: str) -> Product | None:
    return next((p for p in products if p.slug == slug), None)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("q", "")
    query = clean_query(raw)
    products = _products_with_articles(request)
    product_slug = clean_query(request.GET.get("product", ""))[:80]
    product = _pick_product(products, product_slug) if product_slug else None
    result = search_articles(query, user=request.user, product=product, limit=SEARCH_RESULTS)
    hits = [
        {
            "hit": hit,
            "url": click_url(
                article_id=hit.article.pk,
                source=SuggestionSource.KB_SEARCH,
                query=query,
                position=position,
            ),
        }
        for position, hit in enumerate(result.hits, start=1)
    ]
    if result.hits and not _is_staff(request):
        services.suggestion_record_impressions(
            articles=result.articles,
            query=query,
            source=SuggestionSource.KB_SEARCH,
            visitor=Visitor(request).known_key,
        )
    return render(
        request,
        "kb/search.html",
        {
            "query": query,
            "truncated": len(" ".join(raw.split())) > len(query),
            "result": result,
            "hits": hits,
            "products": [p for p in products if p.article_count],  # type: ignore[attr-defined]
            "product": product,
            "unknown_product": product_slug if product_slug and product is None else "",
            "search_product": product,
            "most_read": [] if result or not query else most_read(request.user, product),
            "contact_url": contact_url(query, product),
        },
    )


def _suggestion_json(result: SearchResult, source: str) -> list[dict[str, object]]:
    return [
        {
            "id": hit.article.pk,
            "title": hit.article.title,
            "summary": hit.article.summary,
            "product": hit.article.product.name,
            "section": hit.article.section.display_title,
            # An English article shown to a reader of another language: "In English".
            "language": hit.article.language,
            "in_english": hit.fallback,
            "snippet": strip_tags(hit.snippet),
            "snippet_html": str(hit.snippet),
            "url": click_url(
                article_id=hit.article.pk, source=source, query=result.query, position=position
            ),
            "article_url": hit.article.get_absolute_url(),
        }
        for position, hit in enumerate(result.hits, start=1)
    ]


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """Top articles for text being typed: ``?q=&product=&source=&limit=&record=1``.

    Without ``record=1`` nothing is written and the answer may be cached
    privately for a minute. With it, articles shown to this visitor from this
    source for the first time in half an hour are recorded as impressions.
    """
    source = request.GET.get("source", SuggestionSource.CONTACT_FORM)
    if source not in SuggestionSource.values:
        return JsonResponse(
            {
                "error": _("Unknown source; use one of: %(sources)s.")
                % {"sources": ", ".join(SuggestionSource.values)}
            },
            status=400,
        )
    try:
        limit = max(1, min(int(request.GET.get("limit", SUGGEST_DEFAULT)), SUGGEST_MAX))
    except ValueError:
        limit = SUGGEST_DEFAULT
    product_slug = clean_query(request.GET.get("product", ""))[:80]
    product = (
        Product.objects.active().filter(slug=product_slug).first()
        if re.fullmatch(r"[-a-zA-Z0-9_]+", product_slug)
        else None
    )
    result = search_articles(
        request.GET.get("q", ""),
        user=request.user,
        product=product,
        limit=limit,
        as_you_type=True,
    )
    response = JsonResponse(
        {
            "query": result.query,
            "product": product.slug if product else None,
            "results": _suggestion_json(result, source),
        }
    )
    visitor = Visitor(request)
    if request.GET.get("record") == "1" and result.hits:
        record_suggestions_shown(visitor=visitor.key(), source=source, result=result)
        patch_cache_control(response, no_store=True, private=True)
    else:
        patch_cache_control(response, private=True, max_age=60)
    patch_vary_headers(response, ["Cookie"])
    return visitor.remember(response)


@require_GET
def go(request: HttpRequest, token: str) -> HttpResponse:
    """A suggested article was followed: record the click, then show the article."""
    click = read_click(token)
    if click is None or click.source not in SuggestionSource.values:
        raise Http404(_("This link is not valid."))
    article = get_object_or_404(
        Article.objects.listed_for(request.user).select_related("product"), pk=click.article_id
    )
    visitor = Visitor(request)
    if click.fresh and first_click(
        visitor=visitor.key(), source=click.source, article_id=article.pk
    ):
        services.suggestion_record_click(
            article=article,
            query=click.query,
            source=click.source,
            position=click.position,
            visitor=visitor.key(),
        )
    return visitor.remember(HttpResponseRedirect(article.get_absolute_url()))


@require_GET
def image(request: HttpRequest, name: str) -> FileResponse:
    """An article image, by its random name; checked to be one of ours before it is read.

    Visitors see an image only once a published public article shows it: an image
    uploaded for a draft or an internal article stays with staff (and out of
    shared caches) until then.
    """
    if not _IMAGE_NAME.match(name):
        raise Http404
    path = f"kb/images/{name}"
    stored = ArticleImage.objects.filter(image=path).first()
    if stored is None:
        raise Http404
    public = Article.objects.published().public().showing_image(stored.get_absolute_url()).exists()
    user = request.user
    if not public and not (user.is_active and user.is_staff):
        raise Http404
    if not default_storage.exists(path):
        raise Http404
    response = FileResponse(default_storage.open(path, "rb"), content_type=stored.content_type)
    response["Content-Disposition"] = "inline"
    if public:
        patch_cache_control(response, public=True, max_age=24 * 3600)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response
