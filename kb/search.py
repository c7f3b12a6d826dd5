"""Finding articles: one function, whichever database is underneath.

PostgreSQL: full-text search on the stored, weighted ``search_vector`` (title >
summary and tags > body; English stemming) through its GIN index, ranked by
``ts_rank``, with highlighted snippets from ``ts_headline``. When every word
must match and nothing does, any word may; when the text search finds nothing
at all, titles are compared by trigram word similarity (``pg_trgm``), which
forgives typos.

SQLite: every word (stop words dropped, crudely stemmed: "exporting" looks for
"export") must appear in the title, summary, tags or body, scored title >
summary and tags > body; if nothing has them all, any word will do. Snippets
are cut in Python around the first match.

Either way a search costs at most three queries whatever the number of
articles, input of any length or alphabet is safe (it is cleaned and cut to
``QUERY_MAX_LENGTH`` characters), and the visitor only ever finds what
``Article.objects.listed_for`` lets them see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kb.html import HIGHLIGHT_START, HIGHLIGHT_STOP
from kb.models import QUERY_MAX_LENGTH, SEARCH_CONFIG, Article, ArticleQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from catalog.models import Product

Method = Literal["", "fulltext", "any-word", "similar", "words"]

MAX_LIMIT = 50
MAX_WORDS = 24
MAX_WORD_LENGTH = 40
# Below this, a title is too unlike the query to offer as "did you mean"
# (pg_trgm's default, 0.6, misses most typos: "exprot" is 0.43 like "export").
TRIGRAM_MIN_SIMILARITY = 0.3
SNIPPET_CHARS = 220

_CONTROL = re.compile(r"[\x00-\x1f\x7f\ue000\ue001]")
_WORD = re.compile(r"[^\W_]+")
# Short English words that say nothing about what an article is about (SQLite path;
# PostgreSQL's english configuration has its own list).
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "cannot",
        "do",
        "does",
        "doing",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "so",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "this",
        "to",
        "too",
        "us",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
    ]
)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ied", "ies", "ed", "es", "ly", "s")


@dataclass(frozen=True)
class Hit:
    article: Article
    score: float
    snippet: SafeString  # escaped text; matches wrapped in <mark>


@dataclass(frozen=True)
class SearchResult:
    query: str  # the cleaned query that was searched
    hits: list[Hit]
    method: Method  # how the hits were found; "" when there was nothing to search

    @property
    def articles(self) -> list[Article]:
        return [hit.article for hit in self.hits]

    def __bool__(self) -> bool:
        return bool(self.hits)


def clean_query(raw: str | None) -> str:
    """What we search for: no control characters, single spaces, at most 200 characters."""
    text = _CONTROL.sub(" ", raw or "")
    return " ".join(text.split())[:QUERY_MAX_LENGTH].strip()


def query_words(query: str) -> list[str]:
    """The words of a query, lower case, without punctuation or operators."""
    words = [w[:MAX_WORD_LENGTH] for w in _WORD.findall(query.lower())]
    return list(dict.fromkeys(words))[:MAX_WORDS]


def crude_stem(word: str) -> str:
    """Strip one common English ending, keeping at least three letters: "exporting" → "export"."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            if suffix in ("ied", "ies"):
                return stem + "y"
            if suffix in ("ing", "ed") and len(stem) > 3 and stem[-1] == stem[-2]:
                stem = stem[:-1]  # "resetting" → "reset"
            if suffix == "es" and not stem.endswith(("s", "x", "z", "ch", "sh")):
                stem = word[:-1]  # "roles" → "role", "boxes" → "box"
            return stem
    return word


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
        return _postgresql(articles, query, limit, as_you_type)
    return _words(articles, query, limit)


# --------------------------------------------------------------------------- #
# PostgreSQL                                                                  #
# --------------------------------------------------------------------------- #


def _any_word_query(query: str, *, prefix: bool) -> SearchQuery | None:
    words = query_words(query)
    if not words:
        return None
    terms = list(words)
    if prefix and query[-1:].isalnum():
        terms[-1] += ":*"  # the word being typed
    # Words are letters and digits only (see _WORD), so no tsquery syntax gets in.
    return SearchQuery(" | ".join(terms), search_type="raw", config=SEARCH_CONFIG)


def _fulltext(
    articles: ArticleQuerySet, search: SearchQuery, limit: int
) -> list[tuple[Article, float, str]]:
    rank = SearchRank(F("search_vector"), search)
    # Rank the matches on the article table alone, then join, defer and make
    # snippets for the few that are shown: a common word matches thousands.
    best = (
        articles.select_related(None)
        .filter(search_vector=search)
        .annotate(rank=rank)
        .order_by("-rank", "-updated_at", "pk")
        .values("pk")[:limit]
    )
    rows = (
        articles.filter(pk__in=best)
        .annotate(
            rank=rank,
            headline=SearchHeadline(
                "body_text",
                search,
                config=SEARCH_CONFIG,
                start_sel=HIGHLIGHT_START,
                stop_sel=HIGHLIGHT_STOP,
                max_words=32,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .defer("body", "body_html", "body_text", "search_vector")
        .order_by("-rank", "-updated_at", "pk")
    )
    return [(a, a.rank, a.headline) for a in rows]


def _postgresql(
    articles: ArticleQuerySet, query: str, limit: int, as_you_type: bool
) -> SearchResult:
    if not as_you_type:
        every_word = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
        found = _fulltext(articles, every_word, limit)
        if found:
            return _result(query, found, "fulltext")
    if as_you_type or len(query_words(query)) > 1:
        any_word = _any_word_query(query, prefix=as_you_type)
        if any_word is not None:
            found = _fulltext(articles, any_word, limit)
            if found:
                return _result(query, found, "fulltext" if as_you_type else "any-word")
    # title %> query: word similarity above pg_trgm.word_similarity_threshold, which
    # kb.apps sets on each connection; this form can use the trigram index on titles.
    similar = (
        articles.filter(title__trigram_word_similar=query)
        .annotate(similarity=TrigramWordSimilarity(query, "title"))
        .defer("body", "body_html", "body_text", "search_vector")
        .order_by("-similarity", "-updated_at", "pk")[:limit]
    )
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


# --------------------------------------------------------------------------- #
# SQLite (and any other database): words, crudely stemmed                     #
# --------------------------------------------------------------------------- #


def _words(articles: ArticleQuerySet, query: str, limit: int) -> SearchResult:
    words = [w for w in query_words(query) if w not in STOP_WORDS] or query_words(query)
    stems = list(dict.fromkeys(crude_stem(w) for w in words))[:8]
    if not stems:
        return SearchResult(query=query, hits=[], method="")

    def anywhere(stem: str) -> Q:
        return (
            Q(title__icontains=stem)
            | Q(summary__icontains=stem)
            | Q(tags__icontains=stem)
            | Q(body_text__icontains=stem)
        )

    score = sum(
        (
            Case(When(title__icontains=s, then=Value(8)), default=Value(0))
            + Case(
                When(Q(summary__icontains=s) | Q(tags__icontains=s), then=Value(3)),
                default=Value(0),
            )
            + Case(When(body_text__icontains=s, then=Value(1)), default=Value(0))
            for s in stems
        ),
        start=Value(0),
    )
    scored = articles.annotate(score=Coalesce(score, 0, output_field=IntegerField())).defer(
        "body", "body_html", "search_vector"
    )
    every = Q()
    for stem in stems:
        every &= anywhere(stem)
    rows = list(scored.filter(every).order_by("-score", "-updated_at", "pk")[:limit])
    if not rows and len(stems) > 1:
        some = Q()
        for stem in stems:
            some |= anywhere(stem)
        rows = list(scored.filter(some).order_by("-score", "-updated_at", "pk")[:limit])
    found = [(a, a.score, _snippet(a, stems)) for a in rows]
    hits = [Hit(article=a, score=float(s), snippet=snip) for a, s, snip in found]
    return SearchResult(query=query, hits=hits, method="words" if hits else "")


def _snippet(article: Article, stems: list[str]) -> SafeString:
    text = article.body_text or article.summary
    lower = text.lower()
    positions = [p for p in (lower.find(s) for s in stems) if p >= 0]
    if not positions:
        return _mark(escape(article.summary), stems)
    start = max(0, min(positions) - SNIPPET_CHARS // 3)
    start = text.rfind(" ", 0, start) + 1 if start else 0
    piece = text[start : start + SNIPPET_CHARS]
    piece = piece.rsplit(" ", 1)[0] if len(text) > start + SNIPPET_CHARS else piece
    prefix = "… " if start else ""
    suffix = " …" if len(text) > start + len(piece) else ""
    return _mark(escape(prefix + " ".join(piece.split()) + suffix), stems)


def _mark(escaped: str, stems: list[str]) -> SafeString:
    pattern = re.compile(
        # Not inside an entity such as &amp; or &#39; that escaping produced.
        r"(?<![&#\w])(" + "|".join(re.escape(s) for s in stems) + r")\w*",
        re.IGNORECASE,
    )
    return mark_safe(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped))  # noqa: S308
