"""Finding tickets by what was said: subject, every message, requester, organisation, number.

One entry point, :func:`prepare_search`, turns what someone typed into a
:class:`TicketTextSearch` that narrows any ticket queryset (so filters and
search combine), ranks, and cuts highlighted snippets for the rows shown.

PostgreSQL: the ticket's search document (``TicketSearch.document``, kept by
triggers, see migration ``tickets 0011``) through its GIN index, with the
'simple' configuration (no stemming, no stop words). Every word must match. A
word no ticket contains ("faild") is replaced by the similar words that some
ticket does contain ("failed", "fails"), found by trigram similarity in the
small table of words (``SearchWord``), so typos cost the same at any size.
Snippets come from ``ts_headline`` over the shown rows' messages only.

SQLite: every word must appear (case-insensitive, anywhere) in the subject,
the requester's name or email, the partner, the organisation typed on the form,
or a message (``EXISTS``); snippets are cut in Python around the first match.

Internal notes are weight D of the document. Staff search every part; a
requester-side search (``include_internal=False``) asks for weights A to C only,
and on SQLite looks at customer messages and public replies only, so text
that only an internal note holds is never matched for a requester.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Exists, F, FloatField, OuterRef, Q, QuerySet, Value
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tickets.models import Message, MessageKind, Ticket
from tickets.models.search import SEARCH_CONFIG

PUBLIC_KINDS = (MessageKind.CUSTOMER.value, MessageKind.REPLY.value)
STAFF_KINDS = (*PUBLIC_KINDS, MessageKind.NOTE.value)
MAX_WORDS = 12
# How many similar words a misspelled one may stand for, and how alike they must be
# (pg_trgm similarity: "faild" and "failed" are 0.44).
SIMILAR_WORDS = 4
SIMILARITY_THRESHOLD = 0.3
SNIPPET_CHARS = 180
HIGHLIGHT_START = "\ue000"
HIGHLIGHT_STOP = "\ue001"
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ue000\ue001]")
# "HD-1042" or "#1042" (as tickets.queues.references reads them; not imported, which
# would import the queues package that imports this module).
_REFERENCE_RE = re.compile(r"^\s*(?:#|[A-Za-z]+-)(\d{1,18})\s*$")
_EDGE_PUNCTUATION = re.compile(r"^[^\w@#]+|[^\w]+$")

# A query's words, each with what it may also be (misspelled → known words);
# one statement whatever the number of words.
_WORDS_SQL = """
SELECT q.word, array_remove(array_agg(s.word ORDER BY s.distance, s.word), NULL)
FROM unnest(tsvector_to_array(to_tsvector(%(config)s, %(text)s))) AS q(word)
LEFT JOIN LATERAL (
    SELECT w.word, w.word <-> q.word AS distance
    FROM tickets_searchword w
    WHERE q.word ~ '^[[:alpha:]]{3,40}$'
      AND NOT EXISTS (SELECT 1 FROM tickets_searchword e WHERE e.word = q.word)
      AND w.word %% q.word
      AND similarity(w.word, q.word) >= %(threshold)s
    ORDER BY w.word <-> q.word, w.word
    LIMIT %(limit)s
) s ON true
GROUP BY q.word
ORDER BY q.word
"""


@dataclass
class TicketTextSearch:
    """What to look for, read once per request (PostgreSQL asks its word list once)."""

    text: str
    include_internal: bool
    reference: int | None = None
    # PostgreSQL: the tsquery, written out (weights A to C only for a requester),
    # and the same without weights for ts_headline; SQLite: the words.
    tsquery: str = ""
    headline_tsquery: str = ""
    words: list[str] = field(default_factory=list)

    @property
    def kinds(self) -> tuple[str, ...]:
        return STAFF_KINDS if self.include_internal else PUBLIC_KINDS

    @property
    def on_postgresql(self) -> bool:
        return connection.vendor == "postgresql"

    def is_empty(self) -> bool:
        return self.reference is None and not self.tsquery and not self.words

    def narrow(self, tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
        """Only the tickets that match, whatever else the queryset already says."""
        if self.reference is not None:
            return tickets.filter(pk=self.reference)
        if self.is_empty():
            return tickets.none()
        if self.on_postgresql:
            return tickets.filter(search__document=self._query())
        for word in self.words:
            tickets = tickets.filter(self._sqlite_condition(word))
        return tickets

    def rank(self, tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
        """``search_rank`` on each ticket: higher is better (0 on SQLite: newest first)."""
        if self.on_postgresql and self.tsquery:
            rank = SearchRank(F("search__document"), self._query())
            return tickets.annotate(search_rank=rank)
        return tickets.annotate(search_rank=Value(0.0, output_field=FloatField()))

    def snippets(self, ticket_ids: Iterable[int]) -> dict[int, SafeString]:
        """Highlighted bits of the messages of these tickets (the rows on a page only)."""
        ids = list(ticket_ids)
        if not ids or self.reference is not None or self.is_empty():
            return {}
        if self.on_postgresql:
            return self._headlines(ids)
        return self._sqlite_snippets(ids)

    # PostgreSQL ----------------------------------------------------------------

    def _query(self) -> SearchQuery:
        return SearchQuery(self.tsquery, search_type="raw", config=SEARCH_CONFIG)

    def _headlines(self, ids: list[int]) -> dict[int, SafeString]:
        options = (
            f"StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_STOP}, MaxWords=28, MinWords=10, "
            'MaxFragments=2, FragmentDelimiter=" … "'
        )
        # Weights restrict the document search; the headline reads only the kinds of
        # message this side may see, so it needs none.
        sql = """
            SELECT m.ticket_id,
                   ts_headline(%s, string_agg(translate(m.body, %s, ''), ' … '
                                              ORDER BY m.created_at, m.id),
                               to_tsquery(%s, %s), %s)
            FROM tickets_message m
            WHERE m.ticket_id = ANY(%s) AND m.kind = ANY(%s)
            GROUP BY m.ticket_id
        """
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [
                    SEARCH_CONFIG,
                    HIGHLIGHT_START + HIGHLIGHT_STOP,  # markers typed by someone are dropped
                    SEARCH_CONFIG,
                    self.headline_tsquery,
                    options,
                    ids,
                    list(self.kinds),
                ],
            )
            found = cursor.fetchall()
        return {
            ticket_id: highlighted(text)
            for ticket_id, text in found
            if text and HIGHLIGHT_START in text
        }

    # SQLite --------------------------------------------------------------------

    def _sqlite_condition(self, word: str) -> Q:
        in_messages = Message.objects.filter(
            ticket_id=OuterRef("pk"), kind__in=self.kinds, body__icontains=word
        )
        condition = (
            Q(subject__icontains=word)
            | Q(requester__name__icontains=word)
            | Q(requester__email__icontains=word)
            | Q(partner__name__icontains=word)
            | Q(organisation_name__icontains=word)
            | Q(Exists(in_messages))
        )
        if word.isdigit() and len(word) <= 18:
            condition |= Q(pk=int(word))
        return condition

    def _sqlite_snippets(self, ids: list[int]) -> dict[int, SafeString]:
        bodies: dict[int, list[str]] = {}
        messages = (
            Message.objects.filter(ticket_id__in=ids, kind__in=self.kinds)
            .order_by("created_at", "id")
            .values_list("ticket_id", "body")
        )
        for ticket_id, body in messages:
            bodies.setdefault(ticket_id, []).append(body)
        found = {}
        for ticket_id, parts in bodies.items():
            snippet = cut_snippet(" … ".join(parts), self.words)
            if snippet:
                found[ticket_id] = snippet
        return found


def prepare_search(raw: str | None, *, include_internal: bool) -> TicketTextSearch:
    """Read what someone typed: a reference ("HD-1042", "#1042") or words.

    ``include_internal`` is True for staff only; requester-side searches pass False
    and can never match text that only an internal note contains.
    """
    text = " ".join(_CONTROL.sub(" ", raw or "").split())[:200]
    search = TicketTextSearch(text=text, include_internal=include_internal)
    match = _REFERENCE_RE.match(text)
    if match:
        search.reference = int(match.group(1))
        return search
    if search.on_postgresql:
        alternatives = _word_alternatives(text)
        search.tsquery = _tsquery(alternatives, weight="" if include_internal else ":ABC")
        search.headline_tsquery = _tsquery(alternatives, weight="")
    else:
        words = [_EDGE_PUNCTUATION.sub("", w) for w in text.lower().split()]
        search.words = list(dict.fromkeys(w for w in words if w))[:MAX_WORDS]
    return search


def _word_alternatives(text: str) -> list[tuple[str, list[str]]]:
    """Each word of ``text`` (as the document's parser splits it) and what else it may be."""
    if not text:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            _WORDS_SQL,
            {
                "config": SEARCH_CONFIG,
                "text": text,
                "threshold": SIMILARITY_THRESHOLD,
                "limit": SIMILAR_WORDS,
            },
        )
        return [(word, list(similar or [])) for word, similar in cursor.fetchall()[:MAX_WORDS]]


def _tsquery(alternatives: list[tuple[str, list[str]]], *, weight: str) -> str:
    """Every word must match, a misspelled one in any of its known spellings."""
    parts = []
    for word, similar in alternatives:
        options = [word, *similar]
        either = " | ".join(f"{_quoted(w)}{weight}" for w in options)
        parts.append(f"({either})" if len(options) > 1 else either)
    return " & ".join(parts)


def _quoted(lexeme: str) -> str:
    """A lexeme in tsquery syntax: quoted, so no operator in it is read as one."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def highlighted(headline: str) -> SafeString:
    """ts_headline's text, escaped, with its markers turned into <mark> elements."""
    text = str(escape(headline))
    text = text.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>")
    return mark_safe(text)  # noqa: S308 - escaped above; only our own <mark> added


def cut_snippet(text: str, words: list[str]) -> SafeString | None:
    """Some words of ``text`` around the first of ``words`` found, escaped, matches marked."""
    text = text.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_STOP, "")
    lower = text.lower()
    positions = [p for p in (lower.find(w) for w in words) if p >= 0]
    if not positions:
        return None
    start = max(0, min(positions) - SNIPPET_CHARS // 3)
    start = text.rfind(" ", 0, start) + 1 if start else 0
    piece = " ".join(text[start : start + SNIPPET_CHARS].split())
    prefix = "… " if start else ""
    suffix = " …" if len(text) > start + SNIPPET_CHARS else ""
    marked = prefix + piece + suffix
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.I)
    marked = pattern.sub(lambda m: f"{HIGHLIGHT_START}{m.group(0)}{HIGHLIGHT_STOP}", marked)
    return highlighted(marked)
