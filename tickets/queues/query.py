"""A queue view parsed from its query string: filters, search, sort and page, from allow-lists.

Only the filter keys in :data:`FILTER_KEYS` and the sort keys in
:data:`~tickets.queues.keyset.SORTS` are read, and only values that name a real
row or choice (checked by :mod:`tickets.filters`, which the reports share);
anything else is ignored and reported back as such, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils.translation import gettext as _

from tickets.filters import FILTERS, read_filters
from tickets.queues.definitions import QUEUES, QueueDef
from tickets.queues.keyset import RELEVANCE, SORTS, Cursor, decode_cursor, segments_for
from tickets.queues.lists import DeskLists
from tickets.queues.relevance import decode_offset
from tickets.search import TicketTextSearch, prepare_search

PAGE_SIZE = 50
PAGE_SIZES = (25, 50, 100)
SEARCH_MAX_LENGTH = 100

FILTER_KEYS = (
    "hub",
    "partner",
    "product",
    "category",
    "impact",
    "tag",
    "status",
    "escalation",
    "assignee",
    "channel",
    "urgent",
    "created_from",
    "created_to",
)
# Other keys a queue link may carry; everything else is ignored.
OTHER_KEYS = ("q", "sort", "after", "before", "size")


@dataclass
class QueueQuery:
    """A queue with its filters, search and sort, parsed from an allow-list."""

    queue: QueueDef
    sort: str
    filters: dict[str, list[str]] = field(default_factory=dict)
    search: str = ""
    size: int = PAGE_SIZE
    after: Cursor | None = None
    before: Cursor | None = None
    ignored: list[str] = field(default_factory=list)
    lists: DeskLists = field(default_factory=DeskLists)
    # The search, read once (staff side: internal notes included); None without one.
    text_search: TicketTextSearch | None = None

    def querystring(self, **changes: Any) -> str:
        """This view's query string (filters, search, sort), with ``changes`` applied."""
        pairs: list[tuple[str, str]] = []
        for key in FILTER_KEYS:
            pairs += [(key, v) for v in self.filters.get(key, [])]
        if self.search:
            pairs.append(("q", self.search))
        # With a search, best match is what no sort means.
        if self.sort != (RELEVANCE if self.search else self.queue.default_sort):
            pairs.append(("sort", self.sort))
        if self.size != PAGE_SIZE:
            pairs.append(("size", str(self.size)))
        for key, value in changes.items():
            pairs = [(k, v) for k, v in pairs if k != key]
            if value not in (None, ""):
                pairs.append((key, str(value)))
        return urlencode(pairs)

    @property
    def is_filtered(self) -> bool:
        return bool(self.filters or self.search)

    def value_labels(self) -> list[tuple[str, str, str]]:
        """(key, value, readable label) of each active filter, for the chips above the list."""
        return [
            (key, value, FILTERS[key].value_label(value, self.lists))
            for key, values in self.filters.items()
            for value in values
        ]


def parse_queue_query(
    queue_slug: str, params: QueryDict | dict[str, Any], lists: DeskLists
) -> QueueQuery:
    """Read a queue view from a query string; unknown keys and values are ignored, and listed."""
    if not isinstance(params, QueryDict):
        data = QueryDict(mutable=True)
        for key, value in params.items():
            data.setlist(key, [str(v) for v in (value if isinstance(value, list) else [value])])
        params = data
    queue = QUEUES[queue_slug]
    ignored: list[str] = []
    for key in params:
        if key not in FILTER_KEYS and key not in OTHER_KEYS:
            ignored.append(key)
    read = read_filters(params, FILTER_KEYS, lists)
    ignored += read.ignored
    filters = read.values
    search = " ".join(str(params.get("q", "")).split())[:SEARCH_MAX_LENGTH]
    # A search is shown best match first unless another order is asked for.
    sort = params.get("sort", "") or (RELEVANCE if search else queue.default_sort)
    if sort not in SORTS:
        ignored.append(f"sort={sort}")
        sort = queue.default_sort
    if sort == RELEVANCE and not search:
        sort = queue.default_sort  # nothing to rank by
    try:
        size = int(params.get("size", PAGE_SIZE))
    except ValueError:
        size = PAGE_SIZE
    if size not in PAGE_SIZES:
        size = PAGE_SIZE
    query = QueueQuery(
        queue=queue, sort=sort, filters=filters, search=search, size=size, ignored=ignored,
        lists=lists, text_search=prepare_search(search, include_internal=True) if search else None,
    )  # fmt: skip
    segments = segments_for(sort, lists)
    for key in ("after", "before"):
        raw = params.get(key, "")
        if raw and sort == RELEVANCE:
            # Ranked pages go by offset, whichever way the link points.
            offset = decode_offset(raw)
            if offset is None:
                ignored.append(_("page link"))
            query.after = Cursor(0, offset, 0) if offset else query.after
        elif raw:
            cursor = decode_cursor(raw, segments)
            if cursor is None:
                ignored.append(_("page link"))
            setattr(query, key, cursor)
    return query
