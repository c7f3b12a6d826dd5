"""The words of a search, whichever database answers it, and what a search returns.

Shared by :mod:`kb.search` (PostgreSQL), :mod:`kb.search_words` (SQLite) and
:mod:`kb.search_index` (the SQLite typo and accent fallback): cleaning a query,
splitting it into words, crude stemmers (English; light ones for French,
Spanish and Portuguese), folding accents away, the reader's language, and the
:class:`SearchResult` every path returns.

Languages: a reader sees articles in their own language and, where none
answers, English ones (the fallback). :func:`reader_language` turns any
language code into one of the site's (``"fr-ca"`` → ``"fr"``, anything else →
``"en"``); :func:`searched_languages` is what a reader may be shown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from django.db.models import (
    Case,
    F,
    IntegerField,
    OrderBy,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils.safestring import SafeString
from django.utils.translation import get_language, get_supported_language_variant

from helpdesk.settings_languages import LANGUAGE_CODE
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
# The commonest short words of the other languages, written without accents (they
# are compared folded). On SQLite "des" would otherwise find "description".
_ROMANCE_STOP_WORDS = {
    "fr": "a au aux avec c ce ces comment d dans de des du en est et il j je l la le les leur "
    "m ma mes mon n ne nos notre nous on ou par pas pour qu que qui s sa se ses son sur t ta "
    "un une vos votre vous",
    "es": "a al como con de del el en es esta la las lo los mi mis no o para pero por que "
    "se si su sus un una uno y",
    "pt": "a ao aos as com como da das de do dos e em esta meu minha na nao nas no nos o "
    "os ou para pela pelo por que se sem seu sua um uma",
}
# Endings stripped by the light stemmers of the other languages (folded words, longest
# first): plurals, feminines, the infinitive and common verb and noun endings.
_ROMANCE_SUFFIXES = {
    "fr": ("ations", "ation", "ements", "ement", "ees", "ee", "es", "er", "ez", "e", "s", "x"),
    "es": ("aciones", "acion", "ando", "iendo", "ar", "er", "ir", "es", "as", "os", "a", "o", "s"),
    "pt": ("acoes", "acao", "ando", "endo", "ar", "er", "ir", "es", "as", "os", "a", "o", "s"),
}
# A reader-language article's relevance counts this many times an English one's:
# it outranks an English fallback matched in the same fields (title, summary,
# body), yet an English title still outranks a passing mention in a body.
READER_LANGUAGE_BOOST = 2
_STEM_MIN = 4  # letters a light stem keeps: "donnees" → "donn", never "do"


@dataclass(frozen=True)
class Hit:
    article: Article
    score: float
    snippet: SafeString  # escaped text; matches wrapped in <mark>
    # The article is the English original shown because nothing in the reader's
    # language answered: pages say "In English" and mark its text lang="en".
    fallback: bool = False


@dataclass(frozen=True)
class SearchResult:
    query: str  # the cleaned query that was searched
    hits: list[Hit]
    method: Method  # how the hits were found; "" when there was nothing to search
    language: str = LANGUAGE_CODE  # the reader's language the search was made for

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


def reader_language(language: str | None = None) -> str:
    """One of the site's languages for ``language`` (default: the active one), else English."""
    code = (language or get_language() or LANGUAGE_CODE).lower()
    try:  # Django's own rule, as the locale middleware applies it ("pt" finds "pt-br")
        return get_supported_language_variant(code)
    except LookupError:
        return LANGUAGE_CODE


def searched_languages(reader: str) -> list[str]:
    """The article languages a reader of ``reader`` is shown: theirs first, then English."""
    return list(dict.fromkeys([reader, LANGUAGE_CODE]))


def _family(language: str) -> str:
    return language.split("-")[0]


def stop_words(language: str) -> frozenset[str]:
    """Words a search in ``language`` leaves out: English ones, and the language's own."""
    own = _ROMANCE_STOP_WORDS.get(_family(language), "")
    return STOP_WORDS | frozenset(own.split()) if own else STOP_WORDS


def without_stop_words(query: str, language: str) -> str:
    """``query`` without the short words of ``language`` (other than English) outside quotes.

    PostgreSQL's French list lacks "les", so "exporter les données" would need
    an article saying "les"; its English list is complete, so English is kept.
    """
    own = frozenset(_ROMANCE_STOP_WORDS.get(_family(language), "").split())
    if not own:
        return query
    kept: list[str] = []
    quoted = False
    for token in query.split():
        if quoted or '"' in token or fold_accents(token) not in own:
            kept.append(token)
        if token.count('"') % 2:
            quoted = not quoted
    return " ".join(kept) or query


def stem(folded: str, language: str) -> str:
    """The stem of a folded word in ``language``: :func:`crude_stem` for English,
    else one common ending stripped ("exporter", "exportez" → "export")."""
    suffixes = _ROMANCE_SUFFIXES.get(_family(language))
    if suffixes is None:
        return crude_stem(folded)
    for suffix in suffixes:
        if folded.endswith(suffix) and len(folded) - len(suffix) >= _STEM_MIN:
            return folded[: -len(suffix)]
    return folded


def written_stem(word: str, language: str) -> str:
    """The stem of ``word`` as it is written, accents kept: "données" → "donn" in French."""
    if _family(language) not in _ROMANCE_SUFFIXES:
        return crude_stem(word)
    length = len(stem(fold_accents(word), language))
    taken = ""
    for char in word:
        if len(fold_accents(taken)) >= length:
            break
        taken += char
    return taken


def in_reader_language(reader: str) -> Case:
    """1 for an article in the reader's language, 0 for an English one."""
    return Case(When(language=reader, then=Value(1)), default=Value(0), output_field=IntegerField())


def one_per_subject[Articles: QuerySet[Any]](
    articles: Articles, reader: str, *better: OrderBy | str
) -> Articles:
    """Of each original and its translations, only the one a reader is shown.

    Among the matches of one subject (``Article.original_id``) the best by
    ``better`` (e.g. "matches more words") wins, then the reader's language:
    their translation hides its English original. A window over the matches,
    filtered (Django wraps the query), so still one query.
    """
    pick = Window(
        RowNumber(),
        partition_by=[Coalesce(F("translation_of_id"), F("pk"))],
        order_by=[*better, in_reader_language(reader).desc(), F("pk").asc()],
    )
    return articles.annotate(subject_pick=pick).filter(Q(subject_pick=1))
