"""Search on SQLite (and any database but PostgreSQL): words, crudely stemmed, then likeness.

Every word (stop words dropped, crudely stemmed: "exporting" looks for
"export") must appear in the title, summary, tags or body, scored title >
summary and tags > body; if nothing has them all, the articles with the most of
them come first. A word with accents also looks for itself without them
("données" finds "donnees"). One query answers both.

When nothing contains any word, the titles and tags in :mod:`kb.search_index`
answer, accents and typos forgiven ("donnees" finds "Données", "exprot" finds
"Export"): one more query, two while the index is built after a change.
Snippets are cut in Python around the first match.
"""

from __future__ import annotations

import re

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kb.models import Article, ArticleQuerySet
from kb.search_index import index_search, spellings
from kb.search_terms import (
    STOP_WORDS,
    Hit,
    SearchResult,
    crude_stem,
    fold_accents,
    query_words,
)

SNIPPET_CHARS = 220
MAX_SEARCHED_WORDS = 8
_DEFERRED = ("body", "body_html", "search_vector")


def word_variants(query: str) -> list[list[str]]:
    """Per word of the query, the stems that stand for it; the folded stem comes first.

    As typed, without accents, and as titles and tags write it with accents:
    "donnees" looks for "donnee" and "donnée", "données" for both too.
    """
    words = [w for w in query_words(query) if w not in STOP_WORDS] or query_words(query)
    written = spellings()
    variants: dict[str, list[str]] = {}
    for word in words[:MAX_SEARCHED_WORDS]:
        folded = crude_stem(fold_accents(word))
        if folded not in variants:
            accented = sorted(written.get(folded, ()))
            variants[folded] = list(dict.fromkeys([folded, crude_stem(word), *accented]))
    return list(variants.values())


def _any(field: str, stems: list[str]) -> Q:
    found = Q()
    for stem in stems:
        found |= Q(**{f"{field}__icontains": stem})
    return found


def _anywhere(stems: list[str]) -> Q:
    return (
        _any("title", stems)
        | _any("summary", stems)
        | _any("tags", stems)
        | _any("body_text", stems)
    )


def words_search(
    articles: ArticleQuerySet,
    query: str,
    limit: int,
    *,
    public_only: bool,
    product_id: int | None,
) -> SearchResult:
    words = word_variants(query)
    if not words:
        return SearchResult(query=query, hits=[], method="")
    every_stem = [stem for stems in words for stem in stems]
    zero = Value(0)
    score = sum(
        (
            Case(When(_any("title", stems), then=Value(8)), default=zero)
            + Case(When(_any("summary", stems) | _any("tags", stems), then=Value(3)), default=zero)
            + Case(When(_any("body_text", stems), then=Value(1)), default=zero)
            for stems in words
        ),
        start=zero,
    )
    matched = sum(
        (Case(When(_anywhere(stems), then=Value(1)), default=zero) for stems in words),
        start=zero,
    )
    some = Q()
    for stems in words:
        some |= _anywhere(stems)
    rows = list(
        articles.filter(some)
        .annotate(
            score=Coalesce(score, 0, output_field=IntegerField()),
            matched=Coalesce(matched, 0, output_field=IntegerField()),
        )
        .defer(*_DEFERRED)
        .order_by("-matched", "-score", "-updated_at", "pk")[:limit]
    )
    if rows and rows[0].matched == len(words):
        rows = [a for a in rows if a.matched == len(words)]  # when some have every word, only they
    if not rows:
        return _by_likeness(articles, query, limit, public_only=public_only, product_id=product_id)
    hits = [Hit(article=a, score=float(a.score), snippet=_snippet(a, every_stem)) for a in rows]
    return SearchResult(query=query, hits=hits, method="words")


def _by_likeness(
    articles: ArticleQuerySet, query: str, limit: int, *, public_only: bool, product_id: int | None
) -> SearchResult:
    stems = [stems[0] for stems in word_variants(query)]  # the folded stem of each word
    match = index_search(stems, public_only=public_only, product_id=product_id, limit=limit)
    if not match.ids:
        return SearchResult(query=query, hits=[], method="")
    # Through ``articles`` again: who may see what stays the database's answer.
    found: dict[int, Article] = {
        a.pk: a for a in articles.filter(pk__in=match.ids).defer(*_DEFERRED)
    }
    ordered = [found[pk] for pk in match.ids if pk in found]
    hits = [
        Hit(article=a, score=float(len(ordered) - n), snippet=_mark(escape(a.summary), match.stems))
        for n, a in enumerate(ordered)
    ]
    return SearchResult(
        query=query, hits=hits, method=("similar" if match.corrected else "words") if hits else ""
    )


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
    if not stems:
        return mark_safe(escaped)  # noqa: S308 - escaped by the caller
    pattern = re.compile(
        # Not inside an entity such as &amp; or &#39; that escaping produced.
        r"(?<![&#\w])(" + "|".join(re.escape(s) for s in stems) + r")\w*",
        re.IGNORECASE,
    )
    return mark_safe(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped))  # noqa: S308
