"""Search on SQLite (and any database but PostgreSQL): words, crudely stemmed, then likeness.

Every word (stop words dropped, crudely stemmed: "exporting" looks for
"export") must appear in the title, summary, tags or body, scored title >
summary and tags > body; if nothing has them all, the articles with the most of
them come first. A word with accents also looks for itself without them
("données" finds "donnees"). One query answers both.

Languages: articles in the reader's language and English ones are searched,
each word stemmed as the reader's language stems it and as English does; a
reader-language article's score counts :data:`READER_LANGUAGE_BOOST` times,
and of an original and its translation only one is shown
(:func:`kb.search_terms.one_per_subject`).

When nothing contains any word, the titles and tags in :mod:`kb.search_index`
answer, accents and typos forgiven ("donnees" finds "Données", "exprot" finds
"Export"): one more query, two while the index is built after a change.
Snippets are cut in Python around the first match.
"""

from __future__ import annotations

import re

from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from helpdesk.settings_languages import LANGUAGE_CODE
from kb.models import Article, ArticleQuerySet
from kb.search_index import index_search, spellings
from kb.search_terms import (
    READER_LANGUAGE_BOOST,
    Hit,
    SearchResult,
    crude_stem,
    fold_accents,
    one_per_subject,
    query_words,
    searched_languages,
    stem,
    stop_words,
    written_stem,
)

SNIPPET_CHARS = 220
MAX_SEARCHED_WORDS = 8
_DEFERRED = ("body", "body_html", "search_vector")


def _words(query: str, reader: str) -> list[str]:
    skipped = stop_words(reader)
    every = query_words(query)
    return ([w for w in every if fold_accents(w) not in skipped] or every)[:MAX_SEARCHED_WORDS]


def word_variants(query: str, reader: str = LANGUAGE_CODE) -> list[list[str]]:
    """Per word of the query, the stems that stand for it; the folded stem comes first.

    As typed, without accents, and as titles and tags write it with accents:
    "donnees" looks for "donnee" and "donnée", "données" for both too. A reader
    of another language also looks for the English stem (the fallbacks).
    """
    written = spellings()
    variants: dict[str, list[str]] = {}
    for word in _words(query, reader):
        folded = fold_accents(word)
        own = stem(folded, reader)
        if own in variants:
            continue
        english = crude_stem(folded)
        accented = sorted({*written.get(own, ()), *written.get(english, ())})
        stems = [own, written_stem(word, reader), english, crude_stem(word), *accented]
        variants[own] = list(dict.fromkeys(stems))
    return list(variants.values())


def index_stems(query: str, reader: str) -> dict[str, list[str]]:
    """The query's folded stems for :func:`index_search`, per language searched."""
    words = [fold_accents(w) for w in _words(query, reader)]
    return {language: [stem(w, language) for w in words] for language in searched_languages(reader)}


def _any(field: str, stems: list[str]) -> Q:
    found = Q()
    for piece in stems:
        found |= Q(**{f"{field}__icontains": piece})
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
    reader: str,
    public_only: bool,
    product_id: int | None,
) -> SearchResult:
    words = word_variants(query, reader)
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
    boost = Case(When(language=reader, then=Value(READER_LANGUAGE_BOOST)), default=Value(1))
    found = articles.filter(some).annotate(
        score=Coalesce(score, 0, output_field=IntegerField()) * boost,
        matched=Coalesce(matched, 0, output_field=IntegerField()),
    )
    if reader != LANGUAGE_CODE:
        found = one_per_subject(found, reader, F("matched").desc())
    rows = list(found.defer(*_DEFERRED).order_by("-matched", "-score", "-updated_at", "pk")[:limit])
    if rows and rows[0].matched == len(words):
        rows = [a for a in rows if a.matched == len(words)]  # when some have every word, only they
    if not rows:
        return _by_likeness(
            articles, query, limit, reader=reader, public_only=public_only, product_id=product_id
        )
    hits = [Hit(article=a, score=float(a.score), snippet=_snippet(a, every_stem)) for a in rows]
    return SearchResult(query=query, hits=hits, method="words")


def _by_likeness(
    articles: ArticleQuerySet,
    query: str,
    limit: int,
    *,
    reader: str,
    public_only: bool,
    product_id: int | None,
) -> SearchResult:
    match = index_search(
        index_stems(query, reader),
        reader=reader,
        public_only=public_only,
        product_id=product_id,
        limit=limit,
    )
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
