"""A queue view parsed from its query string: filters, search, sort and page, from allow-lists.

Only the filter keys in :data:`FILTER_KEYS` and the sort keys in
:data:`~tickets.queues.keyset.SORTS` are read, and only values that name a real
row or choice; anything else is ignored and reported back as such, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.models import Channel, EscalationStatus, Status
from tickets.queues.definitions import QUEUES, QueueDef
from tickets.queues.keyset import SORTS, Cursor, decode_cursor, segments_for
from tickets.queues.lists import DeskLists

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
    "created_from",
    "created_to",
)
# Other keys a queue link may carry; everything else is ignored.
OTHER_KEYS = ("q", "sort", "after", "before", "size")
NONE = "none"  # "not set", for the optional fields
ME = "me"


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

    def querystring(self, **changes: Any) -> str:
        """This view's query string (filters, search, sort), with ``changes`` applied."""
        pairs: list[tuple[str, str]] = []
        for key in FILTER_KEYS:
            pairs += [(key, v) for v in self.filters.get(key, [])]
        if self.search:
            pairs.append(("q", self.search))
        if self.sort != self.queue.default_sort:
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
        chips = []
        for key, values in self.filters.items():
            for value in values:
                chips.append((key, value, _filter_label(key, value, self.lists)))
        return chips


def _filter_label(key: str, value: str, lists: DeskLists) -> str:
    if value == NONE:
        return _("%(what)s: not set") % {"what": FILTER_LABELS[key]}
    label = value
    if key in ("hub", "product", "category", "impact", "tag"):
        kind = _KIND_OF[key]
        choice = lists.by_slug(kind).get(value)
        label = choice.label if choice else value
    elif key == "partner":
        found = lists.by_id("partners").get(int(value))
        label = found.label if found else value
    elif key == "assignee":
        if value == ME:
            label = _("me")
        else:
            found = lists.by_id("staff").get(int(value))
            label = found.label if found else value
    elif key == "status":
        label = str(Status(value).label)
    elif key == "escalation":
        label = str(EscalationStatus(value).label)
    elif key == "channel":
        label = str(Channel(value).label)
    return f"{FILTER_LABELS[key]}: {label}"


FILTER_LABELS = {
    "hub": gettext_lazy("Hub"),
    "partner": gettext_lazy("Partner"),
    "product": gettext_lazy("Product"),
    "category": gettext_lazy("Category"),
    "impact": gettext_lazy("Impact"),
    "tag": gettext_lazy("Issue tag"),
    "status": gettext_lazy("Status"),
    "escalation": gettext_lazy("Escalation"),
    "assignee": gettext_lazy("Assignee"),
    "channel": gettext_lazy("Channel"),
    "created_from": gettext_lazy("Created from"),
    "created_to": gettext_lazy("Created until"),
}
_KIND_OF = {
    "hub": "hubs",
    "product": "products",
    "category": "categories",
    "impact": "impacts",
    "tag": "tags",
}
_OPTIONAL = ("product", "category", "impact", "hub", "partner")


def _valid(key: str, value: str, lists: DeskLists) -> bool:
    if key in _OPTIONAL and value == NONE:
        return True
    if key in _KIND_OF:
        return value in lists.by_slug(_KIND_OF[key])
    if key == "partner":
        return value.isdigit() and int(value) in lists.by_id("partners")
    if key == "assignee":
        return value in (ME, NONE) or (value.isdigit() and int(value) in lists.by_id("staff"))
    if key == "status":
        return value in Status.values
    if key == "escalation":
        return value in EscalationStatus.values
    if key == "channel":
        return value in Channel.values
    if key in ("created_from", "created_to"):
        return _date(value) is not None
    return False


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


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
    filters: dict[str, list[str]] = {}
    for key in FILTER_KEYS:
        seen: list[str] = []
        for raw in params.getlist(key)[:20]:
            value = raw.strip()[:100]
            if not value:
                continue
            if _valid(key, value, lists):
                if value not in seen:
                    seen.append(value)
            else:
                ignored.append(f"{key}={value}")
        if key in ("created_from", "created_to") and seen:
            seen = seen[:1]
        if seen:
            filters[key] = seen
    sort = params.get("sort", "") or queue.default_sort
    if sort not in SORTS:
        ignored.append(f"sort={sort}")
        sort = queue.default_sort
    try:
        size = int(params.get("size", PAGE_SIZE))
    except ValueError:
        size = PAGE_SIZE
    if size not in PAGE_SIZES:
        size = PAGE_SIZE
    search = " ".join(str(params.get("q", "")).split())[:SEARCH_MAX_LENGTH]
    query = QueueQuery(
        queue=queue, sort=sort, filters=filters, search=search, size=size, ignored=ignored,
        lists=lists,
    )  # fmt: skip
    segments = segments_for(sort, lists)
    for key in ("after", "before"):
        raw = params.get(key, "")
        if raw:
            cursor = decode_cursor(raw, segments)
            if cursor is None:
                ignored.append(_("page link"))
            setattr(query, key, cursor)
    return query
