"""Typos and accents on SQLite: titles and tags of every published article, kept in memory.

PostgreSQL forgives typos with pg_trgm and accents with unaccent (``kb.search``);
SQLite has neither, and its ``LIKE`` folds neither accents nor any case outside
ASCII. This index holds the stems of every published article's title and
tags, per article language and stemmed as that language is (English crudely,
French, Spanish and Portuguese by stripping one common ending: no stemming
library is installed), lower case and without accents, each pointing to the
articles that use it and to the accented spellings seen ("telecharg" →
"télécharg", "donnee" → "donnée"). The word search
looks for those spellings too, so "donnees" finds "données" in any field as
long as some title or tag uses the word. When the word search finds nothing,
the index answers alone: a query word matches a stem when they are equal once
folded or, for words of :data:`FUZZY_MIN_LENGTH` letters or more, when
RapidFuzz's ``fuzz.ratio`` (an edit-distance similarity, 0 to 100) reaches
:data:`FUZZY_MIN_SCORE` ("exprot" and "export" score 83).

Each process keeps the index under a version in the shared cache
(:class:`catalog.memo.SharedVersionMemo`): saving or deleting an article makes
every process build it again on its next use (one query). Writes that send no
signal (``bulk_create``, ``QuerySet.update`` of a title, tags or status) must
call ``search_index_memo.changed()``. PostgreSQL never reads it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from catalog.memo import SharedVersionMemo
from helpdesk.settings_languages import LANGUAGE_CODE
from kb.models import Article, Visibility
from kb.search_terms import (
    READER_LANGUAGE_BOOST,
    fold_accents,
    query_words,
    stem,
    stop_words,
    written_stem,
)

# Below this a word is too unlike any title's to offer it instead: "exprot" ~
# "export" is 83, "pasword" ~ "password" 93, "dashbord" ~ "dashboard" 94. Only
# words that no article contains are compared at all ("report" ~ "export" is 83).
FUZZY_MIN_SCORE = 80
# Shorter words differ from too many others by one letter ("data", "date", "gate").
FUZZY_MIN_LENGTH = 4
FUZZY_CHOICES = 3  # corrections considered per query word
TITLE_WEIGHT = 8
TAG_WEIGHT = 3

search_index_memo = SharedVersionMemo("kb-search-index")


@dataclass(frozen=True)
class Entry:
    pk: int
    subject: int  # the English original's id (Article.original_id): one hit per subject
    language: str
    product_id: int
    public: bool
    updated: float  # newer first among equals, as the other searches order


@dataclass(frozen=True)
class Words:
    """The stems of one language's articles (each stemmed as its language is)."""

    postings: dict[str, dict[int, int]]  # folded stem → {article id: weight}
    vocabulary: list[str]


@dataclass(frozen=True)
class WordIndex:
    entries: dict[int, Entry]
    languages: dict[str, Words]
    spellings: dict[str, frozenset[str]]  # folded stem → its stems as written, accents kept


@dataclass(frozen=True)
class IndexMatch:
    ids: list[int]  # best first, one per subject
    stems: list[str]  # the title and tag stems the query matched, for highlighting
    corrected: bool  # a word was matched by its likeness, not by its letters


def index_stems(text: str, language: str = LANGUAGE_CODE) -> dict[str, str]:
    """The stems of a title or of tags, stop words left out: {folded: as written}."""
    stems = {}
    skipped = stop_words(language)
    for word in query_words(text):
        folded = fold_accents(word)
        if folded not in skipped:
            stems[stem(folded, language)] = written_stem(word, language)
    return stems


def build_index() -> WordIndex:
    entries: dict[int, Entry] = {}
    postings: dict[str, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    spellings: dict[str, set[str]] = defaultdict(set)
    rows = Article.objects.published().values_list(
        "pk", "translation_of_id", "language", "product_id", "visibility", "title", "tags",
        "updated_at",
    )  # fmt: skip
    for pk, original, language, product_id, visibility, title, tags, updated in rows.iterator(
        chunk_size=2000
    ):
        public = visibility == Visibility.PUBLIC
        entries[pk] = Entry(pk, original or pk, language, product_id, public, updated.timestamp())
        for weight, text in ((TAG_WEIGHT, tags), (TITLE_WEIGHT, title)):
            for folded, written in index_stems(text, language).items():
                postings[language][folded][pk] = weight
                if written != folded:
                    spellings[folded].add(written)
    return WordIndex(
        entries=entries,
        languages={
            language: Words(postings=dict(stems), vocabulary=sorted(stems))
            for language, stems in postings.items()
        },
        spellings={folded: frozenset(written) for folded, written in spellings.items()},
    )


def current_index() -> WordIndex:
    return search_index_memo.get("index", build_index)


def spellings() -> dict[str, frozenset[str]]:
    """How titles and tags write stems with accents: {"donnee": {"donnée"}, …}."""
    return current_index().spellings


def _likenesses(words: Words, query_stem: str) -> dict[str, float]:
    """The language's stems this query stem stands for, with how alike they are (0 to 1)."""
    if query_stem in words.postings:
        return {query_stem: 1.0}
    if len(query_stem) < FUZZY_MIN_LENGTH:
        return {}
    found = process.extract(
        query_stem,
        words.vocabulary,
        scorer=fuzz.ratio,
        score_cutoff=FUZZY_MIN_SCORE,
        limit=FUZZY_CHOICES,
    )
    return {choice: score / 100 for choice, score, _position in found}


def index_search(
    stems: dict[str, list[str]],
    *,
    reader: str = LANGUAGE_CODE,
    public_only: bool,
    product_id: int | None,
    limit: int,
) -> IndexMatch:
    """The articles whose titles and tags best match the query, most words first.

    ``stems`` holds, per language searched (the reader's first, then English),
    the query's folded stems as that language stems them. One article per
    subject: the reader's translation when it matches, else the English one.
    """
    index = current_index()
    matched: dict[int, int] = defaultdict(int)  # article id → query words it matches
    scores: dict[int, float] = defaultdict(float)
    used: list[str] = []
    corrected = False
    for language, language_stems in stems.items():
        words = index.languages.get(language)
        if words is None:
            continue  # no published article in that language
        for query_stem in dict.fromkeys(language_stems):
            best: dict[int, float] = {}
            for choice, likeness in _likenesses(words, query_stem).items():
                used.append(choice)
                corrected = corrected or likeness < 1
                for pk, weight in words.postings[choice].items():
                    best[pk] = max(best.get(pk, 0.0), weight * likeness)
            boost = READER_LANGUAGE_BOOST if language == reader else 1
            for pk, score in best.items():
                matched[pk] += 1
                scores[pk] += score * boost
    chosen: dict[int, Entry] = {}  # subject → the article shown for it
    for pk in matched:
        entry = index.entries[pk]
        if (public_only and not entry.public) or product_id not in (None, entry.product_id):
            continue
        shown = chosen.get(entry.subject)
        if shown is None or (entry.language == reader and shown.language != reader):
            chosen[entry.subject] = entry
    visible = sorted(
        chosen.values(), key=lambda e: (-matched[e.pk], -scores[e.pk], -e.updated, e.pk)
    )
    return IndexMatch(ids=[e.pk for e in visible[:limit]], stems=used, corrected=corrected)


def connect_signals() -> None:
    search_index_memo.watch(Article)
