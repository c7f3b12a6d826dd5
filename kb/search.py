"""Finding articles: one function, whichever database is underneath.

Languages: a reader is shown articles in their language (``language``, by
default the active one) and English articles, never another language's. Of an
English original and its translation only one is shown: the translation when
it matches, else the original, a *fallback* (``Hit.fallback``: pages say "In
English"). A reader-language article's relevance counts
:data:`~kb.search_terms.READER_LANGUAGE_BOOST` times an English one's, so it
comes first when both match as well (same fields), while an English title
match still beats a passing mention in a translation's body. An English reader
sees English articles only.

PostgreSQL: full-text search on the stored, weighted ``search_vector`` (title >
summary and tags > body; stemmed, accents ignored: the ``kb_<language>``
configurations of migration 0006, each article's vector built with its own
language's, migration 0007) through its GIN index, ranked by ``ts_rank``,
with highlighted snippets from ``ts_headline``. The query is parsed twice, with
the reader's configuration for their language's articles and with English's for
English ones (``search_vector @@ q_fr AND language = 'fr' OR … @@ q_en AND
language = 'en'``: both served by the GIN index). When every word must match
and nothing does, any word may; when the text search finds nothing at all,
titles are compared by trigram word similarity (``pg_trgm``), which forgives
typos in any language. Configurations come from one place,
:func:`kb.models.search_config`.

SQLite: :mod:`kb.search_words` matches words, then forgives typos and accents
through the titles and tags kept in memory by :mod:`kb.search_index`.

Either way a search costs at most two queries whatever the number of
articles (on SQLite one more while the index is built again after a change),
input of any length or alphabet is safe (it is cleaned and cut to
``QUERY_MAX_LENGTH`` characters), and the visitor only ever finds what
``Article.objects.listed_for`` lets them see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Value,
    When,
)
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kb.html import HIGHLIGHT_START, HIGHLIGHT_STOP
from kb.models import Article, ArticleQuerySet, search_config
from kb.search_terms import (
    READER_LANGUAGE_BOOST,
    Hit,
    Method,
    SearchResult,
    clean_query,
    crude_stem,
    fold_accents,
    in_reader_language,
    one_per_subject,
    query_words,
    reader_language,
    searched_languages,
    without_stop_words,
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
    language: str | None = None,
) -> SearchResult:
    """The articles ``user`` may see that best answer ``raw_query``, best first.

    ``language`` is the reader's (default: the active language): their articles
    and English ones are searched, one per subject (see the module's docstring).
    ``as_you_type`` is for suggestions while someone writes a subject or a
    description: any word may match (best when many match) and the last word
    counts as a prefix ("expo" finds "export").
    """
    query = clean_query(raw_query)
    limit = max(1, min(limit, MAX_LIMIT))
    reader = reader_language(language)
    if not query:
        return SearchResult(query="", hits=[], method="", language=reader)
    articles = (
        Article.objects.listed_for(user)
        .filter(language__in=searched_languages(reader))
        .select_related("product", "section")
    )
    if product is not None:
        articles = articles.filter(product=product)
    if connection.vendor == "postgresql":
        result = _postgresql(articles, query, limit, as_you_type, _Parsing(reader))
    else:
        staff = bool(user is not None and user.is_active and user.is_staff)
        result = words_search(
            articles,
            query,
            limit,
            reader=reader,
            public_only=not staff,
            product_id=product.pk if product is not None else None,
        )
    hits = [replace(hit, fallback=hit.article.language != reader) for hit in result.hits]
    return replace(result, hits=hits, language=reader)


# --------------------------------------------------------------------------- #
# PostgreSQL                                                                  #
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class _Parsed:
    """A query parsed once per language searched, each with its language's configuration."""

    reader: str
    queries: dict[str, SearchQuery]  # the reader's language first, then English

    @property
    def several(self) -> bool:
        return len(self.queries) > 1

    def matches(self, articles: ArticleQuerySet) -> Q:
        """Each article matched in its language; an English one only if its translation is not.

        A translation (one the visitor may see, from ``articles``) that matches
        hides its English original. NOT EXISTS rather than a window over the
        matches: a common word matches thousands, whose vectors a window sorts.
        """
        found = Q()
        for language, search in self.queries.items():
            match = Q(language=language, search_vector=search)
            if language != self.reader:
                translation = articles.filter(
                    translation_of=OuterRef("pk"),
                    language=self.reader,
                    search_vector=self.queries[self.reader],
                )
                match &= Q(~Exists(translation.select_related(None).values("pk")))
            found |= match
        return found

    def each(self, make: Callable[[str, SearchQuery], Any]) -> Any:
        """``make(language, query)``, for each article by its own language."""
        if not self.several:
            ((language, search),) = self.queries.items()
            return make(language, search)
        return Case(*(When(language=lang, then=make(lang, q)) for lang, q in self.queries.items()))

    def rank(self) -> Any:
        def rank(language: str, search: SearchQuery) -> Any:
            found = SearchRank(F("search_vector"), search)
            boost = READER_LANGUAGE_BOOST if self.several and language == self.reader else 1
            return found * Value(float(boost)) if boost != 1 else found

        return self.each(rank)

    def headline(self) -> Any:
        return self.each(
            lambda language, search: SearchHeadline(
                "body_text",
                search,
                config=search_config(language),
                start_sel=HIGHLIGHT_START,
                stop_sel=HIGHLIGHT_STOP,
                max_words=32,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )


@dataclass(frozen=True)
class _Parsing:
    reader: str

    def parse(self, make: Callable[[str], SearchQuery | None]) -> _Parsed | None:
        """``make(config)`` for each language searched; None when there is nothing to search."""
        queries = {}
        for language in searched_languages(self.reader):
            search = make(search_config(language))
            if search is None:
                return None
            queries[language] = search
        return _Parsed(reader=self.reader, queries=queries)


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
    articles: ArticleQuerySet, search: _Parsed, limit: int, *, similar_to: str = ""
) -> list[Any]:
    """The best matches of ``search``, annotated with ``rank`` and ``headline``.

    With ``similar_to``, titles like it (``similar``) come too, after every
    text match (``text_match``): "any word, else similar titles" in one query.
    """
    rank = search.rank()
    text = search.matches(articles)
    matches = text
    extra: dict[str, Any] = {}
    ordering = ["-rank", "-updated_at", "pk"]
    if similar_to:
        # title %> query: word similarity above pg_trgm.word_similarity_threshold, which
        # kb.apps sets on each connection; this form can use the trigram index on titles.
        matches = text | Q(title__trigram_word_similar=similar_to)
        extra = {
            "text_match": ExpressionWrapper(text, output_field=BooleanField()),
            "similarity": TrigramWordSimilarity(similar_to, "title"),
        }
        ordering = ["-text_match", "-rank", "-similarity", "-updated_at", "pk"]
    # Rank the matches on the article table alone, then join, defer and make
    # snippets for the few that are shown: a common word matches thousands.
    best = articles.select_related(None).filter(matches).annotate(rank=rank, **extra)
    rows = (
        articles.filter(pk__in=best.order_by(*ordering).values("pk")[:limit])
        .annotate(rank=rank, headline=search.headline(), **extra)
        .defer("body", "body_html", "body_text", "search_vector")
        .order_by(*ordering)
    )
    return list(rows)


def _similar(articles: ArticleQuerySet, query: str, limit: int, reader: str) -> list[Any]:
    """Articles whose titles are like ``query``, annotated with ``similarity``.

    Titles in the reader's language come first among equally similar ones.
    """
    similar = articles.filter(title__trigram_word_similar=query).annotate(
        similarity=TrigramWordSimilarity(query, "title")
    )
    ordering: list[Any] = ["-similarity", "-updated_at", "pk"]
    if len(searched_languages(reader)) > 1:
        similar = one_per_subject(similar, reader)
        ordering.insert(1, in_reader_language(reader).desc())
    return list(
        similar.defer("body", "body_html", "body_text", "search_vector").order_by(*ordering)[:limit]
    )


def _one_each(articles: list[Any], reader: str) -> list[Any]:
    """Similar titles without an English original whose translation is among them."""
    translated = {a.translation_of_id for a in articles if a.language == reader}
    return [a for a in articles if a.translation_of_id is not None or a.pk not in translated]


def _postgresql(
    articles: ArticleQuerySet, query: str, limit: int, as_you_type: bool, parsing: _Parsing
) -> SearchResult:
    """At most two queries: every word; then any word or, failing that, similar titles."""
    words = without_stop_words(query, parsing.reader)
    if not as_you_type:
        every_word = parsing.parse(
            lambda config: SearchQuery(words, search_type="websearch", config=config)
        )
        found = _fulltext(articles, every_word, limit) if every_word else []
        if found:
            return _result(query, [(a, a.rank, a.headline) for a in found], "fulltext")
    any_word = None
    if as_you_type or len(query_words(words)) > 1:
        any_word = parsing.parse(
            lambda config: _any_word_query(words, prefix=as_you_type, config=config)
        )
    if any_word is None:
        similar = _similar(articles, query, limit, parsing.reader)
    else:
        rows = _fulltext(articles, any_word, limit, similar_to=query)
        text = [(a, a.rank, a.headline) for a in rows if a.text_match]
        if text:
            return _result(query, text, "fulltext" if as_you_type else "any-word")
        similar = _one_each(rows, parsing.reader)
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
