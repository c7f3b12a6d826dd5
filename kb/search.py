"""Finding articles: one function, whichever database is underneath.

PostgreSQL: full-text search on the stored, weighted ``search_vector`` (title >
summary and tags > body; English stemming, accents ignored: the ``kb_english``
configuration of migration 0006) through its GIN index, ranked by ``ts_rank``,
with highlighted snippets from ``ts_headline``. When every word must match and
nothing does, any word may; when the text search finds nothing at all, titles
are compared by trigram word similarity (``pg_trgm``), which forgives typos.
The configuration is chosen in one place, :func:`kb.models.search_config`, and
handed down to every query that parses text.

SQLite: :mod:`kb.search_words` matches words, then forgives typos and accents
through the titles and tags kept in memory by :mod:`kb.search_index`.

Either way a search costs at most two queries whatever the number of
articles (on SQLite one more while the index is built again after a change),
input of any length or alphabet is safe (it is cleaned and cut to
``QUERY_MAX_LENGTH`` characters), and the visitor only ever finds what
``Article.objects.listed_for`` lets them see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kb.html import HIGHLIGHT_START, HIGHLIGHT_STOP
from kb.models import Article, ArticleQuerySet, search_config
from kb.search_terms import (
    Hit,
    Method,
    SearchResult,
    clean_query,
    crude_stem,
    fold_accents,
    query_words,
)
from kb.search_words import words_search

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from catalog.models import Product

__all__ = [
    "Hit",
    "SearchResult",
    "clean_query",
    "crude_stem",
    "fold_accents",
    "query_words",
    "search_articles",
]

MAX_LIMIT = 50
# Below this, a title is too unlike the query to offer as "did you mean"
# (pg_trgm's default, 0.6, misses most typos: "exprot" is 0.43 like "export").
TRIGRAM_MIN_SIMILARITY = 0.3


def search_articles(
    raw_query: str | None,
    *,
    user: User | AnonymousUser | None,
    product: Product | None = None,
    limit: int = 20,
    as_you_type: bool = False,
) -> SearchResult:
    """The articles ``user`` may see that best answer ``raw_query``, best first.

    ``as_you_type`` is for suggestions while someone writes a subject or a
    description: any word may match (best when many match) and the last word
    counts as a prefix ("expo" finds "export").
    """
    query = clean_query(raw_query)
    limit = max(1, min(limit, MAX_LIMIT))
    if not query:
        return SearchResult(query="", hits=[], method="")
    articles = Article.objects.listed_for(user).select_related("product", "section")
    if product is not None:
        articles = articles.filter(product=product)
    if connection.vendor == "postgresql":
        # Articles are English today; their language will choose the configuration.
        return _postgresql(articles, query, limit, as_you_type, search_config())
    staff = bool(user is not None and user.is_active and user.is_staff)
    return words_search(
        articles,
        query,
        limit,
        public_only=not staff,
        product_id=product.pk if product is not None else None,
    )


# --------------------------------------------------------------------------- #
# PostgreSQL                                                                  #
# --------------------------------------------------------------------------- #


def _any_word_query(query: str, *, prefix: bool, config: str) -> SearchQuery | None:
    words = query_words(query)
    if not words:
        return None
    terms = list(words)
    if prefix and query[-1:].isalnum():
        terms[-1] += ":*"  # the word being typed
    # Words are letters and digits only (see _WORD), so no tsquery syntax gets in.
    return SearchQuery(" | ".join(terms), search_type="raw", config=config)


def _fulltext(
    articles: ArticleQuerySet,
    search: SearchQuery,
    limit: int,
    config: str,
    *,
    similar_to: str = "",
) -> list[Any]:
    """The best matches of ``search``, annotated with ``rank`` and ``headline``.

    With ``similar_to``, titles like it (``similar``) come too, after every
    text match (``text_match``): "any word, else similar titles" in one query.
    """
    rank = SearchRank(F("search_vector"), search)
    matches = Q(search_vector=search)
    extra: dict[str, Any] = {}
    ordering = ["-rank", "-updated_at", "pk"]
    if similar_to:
        # title %> query: word similarity above pg_trgm.word_similarity_threshold, which
        # kb.apps sets on each connection; this form can use the trigram index on titles.
        matches |= Q(title__trigram_word_similar=similar_to)
        extra = {
            "text_match": ExpressionWrapper(Q(search_vector=search), output_field=BooleanField()),
            "similarity": TrigramWordSimilarity(similar_to, "title"),
        }
        ordering = ["-text_match", "-rank", "-similarity", "-updated_at", "pk"]
    # Rank the matches on the article table alone, then join, defer and make
    # snippets for the few that are shown: a common word matches thousands.
    best = (
        articles.select_related(None)
        .filter(matches)
        .annotate(rank=rank, **extra)
        .order_by(*ordering)
        .values("pk")[:limit]
    )
    rows = (
        articles.filter(pk__in=best)
        .annotate(
            rank=rank,
            headline=SearchHeadline(
                "body_text",
                search,
                config=config,
                start_sel=HIGHLIGHT_START,
                stop_sel=HIGHLIGHT_STOP,
                max_words=32,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
            **extra,
        )
        .defer("body", "body_html", "body_text", "search_vector")
        .order_by(*ordering)
    )
    return list(rows)


def _similar(articles: ArticleQuerySet, query: str, limit: int) -> list[Any]:
    """Articles whose titles are like ``query``, annotated with ``similarity``."""
    return list(
        articles.filter(title__trigram_word_similar=query)
        .annotate(similarity=TrigramWordSimilarity(query, "title"))
        .defer("body", "body_html", "body_text", "search_vector")
        .order_by("-similarity", "-updated_at", "pk")[:limit]
    )


def _postgresql(
    articles: ArticleQuerySet, query: str, limit: int, as_you_type: bool, config: str
) -> SearchResult:
    """At most two queries: every word; then any word or, failing that, similar titles."""
    if not as_you_type:
        every_word = SearchQuery(query, search_type="websearch", config=config)
        found = _fulltext(articles, every_word, limit, config)
        if found:
            return _result(query, [(a, a.rank, a.headline) for a in found], "fulltext")
    any_word = None
    if as_you_type or len(query_words(query)) > 1:
        any_word = _any_word_query(query, prefix=as_you_type, config=config)
    if any_word is None:
        similar = _similar(articles, query, limit)
    else:
        rows = _fulltext(articles, any_word, limit, config, similar_to=query)
        text = [(a, a.rank, a.headline) for a in rows if a.text_match]
        if text:
            return _result(query, text, "fulltext" if as_you_type else "any-word")
        similar = rows
    found = [(a, a.similarity, a.summary) for a in similar]
    return _result(query, found, "similar" if found else "")


def _result(query: str, found: list[tuple[Article, float, str]], method: Method) -> SearchResult:
    hits = [
        Hit(article=article, score=float(score or 0), snippet=_highlighted(snippet))
        for article, score, snippet in found
    ]
    return SearchResult(query=query, hits=hits, method=method)


def _highlighted(headline: str) -> SafeString:
    """ts_headline's text, escaped, with its markers turned into <mark> elements."""
    text = str(escape(headline or ""))
    text = text.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>")
    return mark_safe(text)  # noqa: S308 - escaped above; only our own <mark> added
