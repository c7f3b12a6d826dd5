"""Sorts and keyset pagination: a page continues from the last row of the one before.

A sort is a list of *segments* (for example "tickets with a due time, by due
time", then "tickets without, by age"), each read in the order of an index; a
page link carries the segment, sort value and id of its boundary row in a
signed, opaque cursor, so page 1,000 costs what page 1 costs.

Urgent tickets lead every sort: the sort key's first part is ``is_urgent``, so
each sort's segments come twice, urgent ones first (read from small partial
indexes), then the rest; the cursor says which side of that boundary it is on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import Case, DateTimeField, F, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy

from tickets.models import Ticket
from tickets.queues.lists import DeskLists

# v2: cursors carry the urgent part of the key; links made before it are ignored.
CURSOR_SALT = "desk.queue.cursor.v2"
RELEVANCE = "relevance"


@dataclass(frozen=True)
class Segment:
    """Part of a sort: the rows matching ``where``, by (``field``, id) in one direction."""

    where: Q
    field: str
    descending: bool
    holds: Any  # ticket -> bool: whether a ticket belongs to this segment
    urgent: bool | None = None  # the urgent part of the key (None: either)

    def order(self, backwards: bool = False) -> list[Any]:
        down = self.descending != backwards
        return [F(self.field).desc(), F("id").desc()] if down else [F(self.field).asc(), "id"]

    def beyond(self, value: Any, pk: int, backwards: bool = False) -> Q:
        """Rows after (value, pk) in this segment's order (before it when ``backwards``)."""
        down = self.descending != backwards
        if down:
            return Q(**{f"{self.field}__lte": value}) & (
                Q(**{f"{self.field}__lt": value}) | Q(id__lt=pk)
            )
        return Q(**{f"{self.field}__gte": value}) & (
            Q(**{f"{self.field}__gt": value}) | Q(id__gt=pk)
        )


SORTS: dict[str, Any] = {
    "due": gettext_lazy("Due soonest"),
    "reply_due": gettext_lazy("Next reply due soonest"),
    "-updated": gettext_lazy("Recently updated"),
    "updated": gettext_lazy("Least recently updated"),
    "-created": gettext_lazy("Newest"),
    "created": gettext_lazy("Oldest"),
    "impact": gettext_lazy("Most severe impact"),
    "l2_news": gettext_lazy("Oldest L2 news first"),
    # With a search only (tickets.queues.relevance): offset pages of ranked matches.
    RELEVANCE: gettext_lazy("Best match"),
}


def segments_for(sort: str, lists: DeskLists) -> list[Segment]:
    """The sort's segments, urgent tickets first, each part in the sort's own order."""
    segments = _segments(sort, lists)
    return [_urgency(s, True) for s in segments] + [_urgency(s, False) for s in segments]


def _urgency(segment: Segment, urgent: bool) -> Segment:
    return Segment(
        segment.where & Q(is_urgent=urgent),
        segment.field,
        segment.descending,
        lambda t, holds=segment.holds: t.is_urgent == urgent and holds(t),
        urgent=urgent,
    )


def _segments(sort: str, lists: DeskLists) -> list[Segment]:
    if sort == RELEVANCE:
        # Ranked pages are not keyset pages (see tickets.queues.relevance); anything
        # that asks for segments anyway reads the matches newest first.
        sort = "-created"
    if sort in ("-updated", "updated", "-created", "created"):
        name = "updated_at" if sort.endswith("updated") else "created_at"
        return [Segment(Q(), name, sort.startswith("-"), lambda t: True)]
    if sort == "due":
        return [
            Segment(Q(first_response_due_at__isnull=False), "first_response_due_at", False,
                    lambda t: t.first_response_due_at is not None),
            Segment(Q(first_response_due_at__isnull=True), "created_at", False,
                    lambda t: t.first_response_due_at is None),
        ]  # fmt: skip
    if sort == "reply_due":
        return [
            Segment(Q(next_response_due_at__isnull=False), "next_response_due_at", False,
                    lambda t: t.next_response_due_at is not None),
            Segment(Q(next_response_due_at__isnull=True), "created_at", False,
                    lambda t: t.next_response_due_at is None),
        ]  # fmt: skip
    if sort == "l2_news":
        return [
            Segment(Q(l2_news_at__isnull=False), "l2_news_at", False,
                    lambda t: t.l2_news_at is not None),
            Segment(Q(l2_news_at__isnull=True), "created_at", False,
                    lambda t: t.l2_news_at is None),
        ]  # fmt: skip
    if sort == "impact":
        # One segment per impact, most severe first (level order), then "not set";
        # oldest first within each, so the longest-waiting critical ticket leads.
        segments = [
            Segment(Q(impact_id=c.id), "created_at", False,
                    lambda t, pk=c.id: t.impact_id == pk)
            for c in lists.impacts
        ]  # fmt: skip
        segments.append(
            Segment(Q(impact__isnull=True), "created_at", False, lambda t: t.impact_id is None)
        )
        return segments
    raise ValueError(sort)


@dataclass(frozen=True)
class Cursor:
    segment: int
    value: Any
    pk: int
    urgent: bool = False


def encode_cursor(cursor: Cursor) -> str:
    value = cursor.value.isoformat() if isinstance(cursor.value, datetime) else cursor.value
    return signing.dumps(
        [cursor.segment, cursor.urgent, value, cursor.pk], salt=CURSOR_SALT, compress=True
    )


def decode_cursor(raw: str, segments: Sequence[Segment]) -> Cursor | None:
    """The cursor in a page link, or None if it was tampered with or does not fit the sort."""
    try:
        segment, urgent, value, pk = signing.loads(raw, salt=CURSOR_SALT)
        segment, pk = int(segment), int(pk)
        if not 0 <= segment < len(segments) or segments[segment].urgent is not urgent:
            return None
        return Cursor(segment, datetime.fromisoformat(value), pk, urgent=bool(urgent))
    except (signing.BadSignature, ValueError, TypeError):
        return None


def cursor_for(ticket: Ticket, segments: Sequence[Segment]) -> Cursor:
    for index, segment in enumerate(segments):
        if segment.holds(ticket):
            value = getattr(ticket, segment.field)
            return Cursor(index, value, ticket.pk, urgent=bool(segment.urgent))
    raise ValueError("A ticket that fits no segment of its sort")


@dataclass
class Page:
    rows: list[Ticket]
    next_cursor: str = ""
    previous_cursor: str = ""


def keyset_page(
    tickets: QuerySet[Ticket],
    segments: Sequence[Segment],
    *,
    cursor: Cursor | None,
    size: int,
    backwards: bool = False,
) -> tuple[list[Ticket], bool]:
    """Up to ``size`` rows after the cursor (before it when ``backwards``), and whether more exist.

    The cursor's segment is read in index order; if the page is not full, the
    segments after it, one run of urgent or not urgent segments at a time: the
    (few) urgent rows in one query ordered by segment rank, the others as a
    first segment in index order, then the rest together by segment rank. At
    most four queries, two when nothing is urgent. A first page has no cursor's
    segment: it starts with the runs (two queries while the first page fills).
    """
    order = list(range(len(segments)))
    if backwards:
        order.reverse()
    if cursor is None:
        rows: list[Ticket] = []
        later = [segments[i] for i in order]
    else:
        remaining = order[order.index(cursor.segment) :]
        segment = segments[remaining[0]]
        query = tickets.filter(segment.where).filter(
            segment.beyond(cursor.value, cursor.pk, backwards)
        )
        rows = list(query.order_by(*segment.order(backwards))[: size + 1])
        later = [segments[i] for i in remaining[1:]]
    for run in _runs(later):
        wanted = size + 1 - len(rows)
        if wanted <= 0:
            break
        if run[0].urgent or len(run) == 1:
            rows += list(_later_rows(tickets, run, backwards)[:wanted])
            continue
        head, tail = run[0], run[1:]
        rows += list(tickets.filter(head.where).order_by(*head.order(backwards))[:wanted])
        wanted = size + 1 - len(rows)
        if wanted > 0:
            rows += list(_later_rows(tickets, tail, backwards)[:wanted])
    has_more = len(rows) > size
    return rows[:size], has_more


def _runs(segments: Sequence[Segment]) -> list[list[Segment]]:
    """Consecutive segments of the same urgency."""
    runs: list[list[Segment]] = []
    for segment in segments:
        if runs and runs[-1][0].urgent == segment.urgent:
            runs[-1].append(segment)
        else:
            runs.append([segment])
    return runs


def _later_rows(
    tickets: QuerySet[Ticket], later: Sequence[Segment], backwards: bool
) -> QuerySet[Ticket]:
    """The rows of the segments after the cursor's, in one query: by segment rank, then
    each segment's own field (segments of one sort share a direction), then id."""
    if len({s.descending for s in later}) != 1:
        raise ValueError("The segments of a sort must share one direction.")
    if len(later) == 1:
        return tickets.filter(later[0].where).order_by(*later[0].order(backwards))
    condition = Q()
    for s in later:
        condition |= s.where
    rank = Case(
        *[When(s.where, then=Value(n)) for n, s in enumerate(later)],
        default=Value(len(later)),
        output_field=IntegerField(),
    )
    fields = {s.field for s in later}
    if len(fields) == 1:
        return (
            tickets.filter(condition)
            .annotate(d_segment_rank=rank)
            .order_by(F("d_segment_rank").asc(), *later[0].order(backwards))
        )
    # Urgent "due" segments then the others: due time in some, age in others.
    key = Case(
        *[When(s.where, then=F(s.field)) for s in later],
        output_field=DateTimeField(),
    )
    down = later[0].descending != backwards
    return (
        tickets.filter(condition)
        .annotate(d_segment_rank=rank, d_segment_key=key)
        .order_by(
            F("d_segment_rank").asc(),
            F("d_segment_key").desc() if down else F("d_segment_key").asc(),
            F("id").desc() if down else F("id").asc(),
        )
    )
