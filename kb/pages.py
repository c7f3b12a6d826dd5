"""The knowledge base's reading pages: home, product, section, article, its feedback.

Thin: each view asks ``kb.localised`` what this reader sees in their language,
or one service, and renders. Lists show one row per subject, translated where
a translation is listed; an article page in a language it is not written in
sends the reader to the version in theirs, or shows the English with a note.
What a visitor may see is decided by ``listed_for`` / ``viewable_by``;
anything else is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, OuterRef, Prefetch, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalog.models import Product
from kb import services
from kb.forms import FeedbackForm
from kb.localised import Versions, find_article, listed_in_language, most_read_first
from kb.models import Article, ArticleQuerySet, ArticleVote, Section
from kb.tracking import Visitor
from kb.views import _is_staff, _products_with_articles

SECTION_PREVIEW = 6  # articles listed per section on a product page
SECTION_PAGE = 30
RELATED = 5
# Columns lists never show.
_HEAVY = ("body", "body_html", "body_text", "search_vector")


def _listed(request: HttpRequest) -> ArticleQuerySet:
    """What lists show this visitor: one row per subject, in their language if written."""
    return listed_in_language(request.user, get_language())


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    listed = _listed(request).select_related("product")
    return render(
        request,
        "kb/home.html",
        {
            "products": [p for p in _products_with_articles(request) if p.article_count],  # type: ignore[attr-defined]
            "popular": listed.order_by(*most_read_first(get_language()))[:8],
            "recent": listed.order_by("-updated_at", "title")[:6],
        },
    )


@require_GET
def product(request: HttpRequest, product_slug: str) -> HttpResponse:
    product = get_object_or_404(Product.objects.active(), slug=product_slug)
    listed = _listed(request)
    counts = (
        listed.filter(section=OuterRef("pk")).order_by().values("section").annotate(n=Count("pk"))
    )
    sections = (
        Section.objects.filter(product=product)
        .annotate(
            article_count=Coalesce(Subquery(counts.values("n"), output_field=IntegerField()), 0)
        )
        .filter(article_count__gt=0)
        .prefetch_related(
            Prefetch(
                "articles",
                queryset=listed.select_related("product")
                .order_by("position", "title")
                .defer(*_HEAVY)[:SECTION_PREVIEW],
                to_attr="preview",
            )
        )
    )
    return render(
        request,
        "kb/product.html",
        {
            "product": product,
            "sections": sections,
            "popular": listed.filter(product=product)
            .select_related("product")
            .order_by(*most_read_first(get_language()))[:5],
            "search_product": product,
        },
    )


@require_GET
def section(request: HttpRequest, product_slug: str, section_slug: str) -> HttpResponse:
    section = get_object_or_404(
        Section.objects.select_related("product"),
        product__slug=product_slug,
        product__is_active=True,
        slug=section_slug,
    )
    articles = (
        _listed(request)
        .filter(section=section)
        .select_related("product")
        .defer(*_HEAVY)
        .order_by("position", "title")
    )
    page = Paginator(articles, SECTION_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "kb/section.html",
        {
            "section": section,
            "product": section.product,
            "page": page,
            "search_product": section.product,
        },
    )


def _related(request: HttpRequest, article: Article) -> list[Article]:
    """Same section first, then the product's most read; never this subject again."""
    subject = article.original_id
    related = (
        _listed(request)
        .filter(product_id=article.product_id)
        .exclude(Q(pk=subject) | Q(translation_of_id=subject))
        .select_related("product")
        .defer(*_HEAVY)
        # One query: this section's articles before the rest, each group most read first.
        .order_by(
            Case(When(section_id=article.section_id, then=0), default=1),
            *most_read_first(get_language()),
        )
    )
    return list(related[:RELATED])


def _article_page(
    request: HttpRequest,
    article: Article,
    form: FeedbackForm,
    status: int = 200,
    versions: Versions | None = None,
) -> HttpResponse:
    versions = versions or Versions.of(article, request.user)
    visitor = Visitor(request).known_key
    vote = (
        ArticleVote.objects.filter(article=article, visitor_key=visitor).first()
        if visitor and article.is_published
        else None
    )
    return render(
        request,
        "kb/article.html",
        {
            "article": article,
            "product": article.product,
            "section": article.section,
            "related": _related(request, article),
            "form": form,
            "vote": vote,
            "search_product": article.product,
            # Not in the reader's language: the page says so and marks the text's language.
            "fallback": article.language != get_language(),
            "language_urls": versions.urls(),
            "language_alternates": {
                code: request.build_absolute_uri(url) for code, url in versions.alternates().items()
            },
        },
        status=status,
    )


def _get_article(request: HttpRequest, product_slug: str, article_slug: str) -> Article:
    """The article the address names, in the reader's language if one is written in it."""
    found = find_article(
        Article.objects.viewable_by(request.user)
        .select_related("product", "section")
        .filter(product__slug=product_slug, slug=article_slug),
        language=get_language(),
    )
    if found is None:
        raise Http404(_("No article here."))
    return found


@require_GET
def article(request: HttpRequest, product_slug: str, article_slug: str) -> HttpResponse:
    article = _get_article(request, product_slug, article_slug)
    versions = Versions.of(article, request.user)
    elsewhere = versions.redirect_slug(get_language())
    if elsewhere is not None:
        # Same language prefix, the slug of the version this reader should read.
        return HttpResponseRedirect(reverse("kb:article", args=[product_slug, elsewhere]))
    if article.is_published and not _is_staff(request):
        # Staff reading (and previewing) are not what the figures are about.
        services.article_record_view(article=article)
    return _article_page(request, article, FeedbackForm(), versions=versions)


@require_POST
def feedback(request: HttpRequest, product_slug: str, article_slug: str) -> HttpResponse:
    article = _get_article(request, product_slug, article_slug)
    if not article.is_published:
        raise Http404(_("Only published articles take feedback."))
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _article_page(request, article, form, status=400)
    visitor = Visitor(request)
    _vote, created = services.vote_record(
        article=article,
        visitor=visitor.key(),
        helpful=form.cleaned_data["helpful"],
        comment=form.cleaned_data["comment"],
    )
    messages.success(
        request,
        _("Thank you for your feedback.") if created else _("Thank you: we updated your answer."),
    )
    back = reverse("kb:article", args=[article.product.slug, article.slug])
    return visitor.remember(HttpResponseRedirect(back + "#feedback"))
