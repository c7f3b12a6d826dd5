"""Typos and accents on SQLite: titles and tags of every published article, kept in memory.

PostgreSQL forgives typos with pg_trgm and accents with unaccent (``kb.search``);
SQLite has neither, and its ``LIKE`` folds neither accents nor any case outside
ASCII. This index holds the stems of every published article's title and
tags, lower case and without accents, each pointing to the articles that use
it and to the accented spellings seen ("donnee" → "donnée"). The word search
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
from kb.models import Article, Visibility
from kb.search_terms import STOP_WORDS, crude_stem, fold_accents, query_words

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
    product_id: int
    public: bool
    updated: float  # newer first among equals, as the other searches order


@dataclass(frozen=True)
class WordIndex:
    entries: dict[int, Entry]
    postings: dict[str, dict[int, int]]  # folded stem → {article id: weight}
    vocabulary: list[str]
    spellings: dict[str, frozenset[str]]  # folded stem → its stems as written, accents kept


@dataclass(frozen=True)
class IndexMatch:
    ids: list[int]  # best first
    stems: list[str]  # the title and tag stems the query matched, for highlighting
    corrected: bool  # a word was matched by its likeness, not by its letters


def index_stems(text: str) -> dict[str, str]:
    """The stems of a title or of tags, stop words left out: {folded: as written}."""
    stems = {}
    for word in query_words(text):
        folded = fold_accents(word)
        if folded not in STOP_WORDS:
            stems[crude_stem(folded)] = crude_stem(word)
    return stems


def build_index() -> WordIndex:
    entries: dict[int, Entry] = {}
    postings: dict[str, dict[int, int]] = defaultdict(dict)
    spellings: dict[str, set[str]] = defaultdict(set)
    rows = Article.objects.published().values_list(
        "pk", "product_id", "visibility", "title", "tags", "updated_at"
    )
    for pk, product_id, visibility, title, tags, updated_at in rows.iterator(chunk_size=2000):
        entries[pk] = Entry(pk, product_id, visibility == Visibility.PUBLIC, updated_at.timestamp())
        for weight, text in ((TAG_WEIGHT, tags), (TITLE_WEIGHT, title)):
            for folded, written in index_stems(text).items():
                postings[folded][pk] = weight
                if written != folded:
                    spellings[folded].add(written)
    return WordIndex(
        entries=entries,
        postings=dict(postings),
        vocabulary=sorted(postings),
        spellings={stem: frozenset(written) for stem, written in spellings.items()},
    )


def current_index() -> WordIndex:
    return search_index_memo.get("index", build_index)


def spellings() -> dict[str, frozenset[str]]:
    """How titles and tags write stems with accents: {"donnee": {"donnée"}, …}."""
    return current_index().spellings


def _likenesses(index: WordIndex, stem: str) -> dict[str, float]:
    """The index's stems this query stem stands for, with how alike they are (0 to 1)."""
    if stem in index.postings:
        return {stem: 1.0}
    if len(stem) < FUZZY_MIN_LENGTH:
        return {}
    found = process.extract(
        stem,
        index.vocabulary,
        scorer=fuzz.ratio,
        score_cutoff=FUZZY_MIN_SCORE,
        limit=FUZZY_CHOICES,
    )
    return {choice: score / 100 for choice, score, _position in found}


def index_search(
    stems: list[str], *, public_only: bool, product_id: int | None, limit: int
) -> IndexMatch:
    """The articles whose titles and tags best match ``stems`` (folded), most words first."""
    index = current_index()
    matched: dict[int, int] = defaultdict(int)  # article id → query words it matches
    scores: dict[int, float] = defaultdict(float)
    used: list[str] = []
    corrected = False
    for stem in dict.fromkeys(stems):
        best: dict[int, float] = {}
        for choice, likeness in _likenesses(index, stem).items():
            used.append(choice)
            corrected = corrected or likeness < 1
            for pk, weight in index.postings[choice].items():
                best[pk] = max(best.get(pk, 0.0), weight * likeness)
        for pk, score in best.items():
            matched[pk] += 1
            scores[pk] += score
    visible = [
        index.entries[pk]
        for pk in matched
        if (index.entries[pk].public or not public_only)
        and (product_id is None or index.entries[pk].product_id == product_id)
    ]
    visible.sort(key=lambda e: (-matched[e.pk], -scores[e.pk], -e.updated, e.pk))
    return IndexMatch(ids=[e.pk for e in visible[:limit]], stems=used, corrected=corrected)


def connect_signals() -> None:
    search_index_memo.watch(Article)
