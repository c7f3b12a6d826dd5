"""The words of a search, whichever database answers it, and what a search returns.

Shared by :mod:`kb.search` (PostgreSQL), :mod:`kb.search_words` (SQLite) and
:mod:`kb.search_index` (the SQLite typo and accent fallback): cleaning a query,
splitting it into words, a crude English stemmer, folding accents away, and the
:class:`SearchResult` every path returns.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.utils.safestring import SafeString

from kb.models import QUERY_MAX_LENGTH

if TYPE_CHECKING:
    from kb.models import Article

Method = Literal["", "fulltext", "any-word", "similar", "words"]

MAX_WORDS = 24
MAX_WORD_LENGTH = 40

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


def fold_accents(text: str) -> str:
    """Lower case without accents: "Données" → "donnees", "Ação" → "acao"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
