"""The agent desk's reads: queues, filters and sorts from allow-lists, keyset pages, counts.

Everything the desk lists goes through here, so the rules that keep it fast at a
million tickets live in one place:

* **Allow-lists.** Only the filter keys in :data:`FILTER_KEYS` (described once in
  :mod:`tickets.filters`, which the reports share) and the sort keys
  in :data:`SORTS` are read from a query string, and only values that name a
  real row or choice; anything else is ignored and reported back as such, never
  an error.
* **Keyset pagination.** A page continues from the last row of the previous one
  (its sort value and id, in a signed, opaque cursor), so page 1,000 costs what
  page 1 costs. A sort is a list of *segments* (for example "tickets with a due
  time, by due time", then "tickets without, by age"); each segment is read in
  the order of an index.
* **Bounded counts.** Every queue's count is counted up to :data:`COUNT_BOUND`
  and shown as "1,000+" beyond it, all in one SQL statement.
* **Constant query counts.** Rows come with their related rows (``select_related``)
  and with their SLA warning time and issue tags as subqueries, so a page costs
  the same number of queries whatever its size.
"""

from tickets.queues.definitions import DEFAULT_QUEUE, QUEUES
from tickets.queues.keyset import SORTS, decode_cursor, segments_for
from tickets.queues.listing import (
    QueueCounts,
    bounded_counts,
    neighbours,
    queue_counts,
    queue_page,
    queue_rows,
)
from tickets.queues.lists import DeskLists, desk_lists
from tickets.queues.query import parse_queue_query
from tickets.queues.references import reference_pk
from tickets.queues.sla_state import sla_state

__all__ = [
    "DEFAULT_QUEUE",
    "QUEUES",
    "SORTS",
    "DeskLists",
    "QueueCounts",
    "bounded_counts",
    "decode_cursor",
    "desk_lists",
    "neighbours",
    "parse_queue_query",
    "queue_counts",
    "queue_page",
    "queue_rows",
    "reference_pk",
    "segments_for",
    "sla_state",
]
