"""Ranked search results: the best matches among the newest matching tickets.

Ranking every match of a common word ("export" in 300,000 tickets) would read
and score every one of them, so a ranked page looks at the newest
:data:`RANK_POOL` tickets that match the search and the view's filters (the
index gives them in ticket order, newest first, and stops there), ranks those,
and pages through them by offset. A selective word has fewer matches than the
pool and is fully ranked; for a common word the best of the newest matches
come first, and the view's other sorts (keyset pages) still reach every match.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core import signing
from django.db.models import QuerySet

from tickets.models import Ticket

if TYPE_CHECKING:
    from tickets.search import TicketTextSearch

RANK_POOL = 1000
OFFSET_SALT = "desk.queue.relevance"


def encode_offset(offset: int) -> str:
    return signing.dumps(offset, salt=OFFSET_SALT)


def decode_offset(raw: str) -> int | None:
    """The offset in a ranked page link, or None if it was tampered with or is out of range."""
    try:
        offset = int(signing.loads(raw, salt=OFFSET_SALT))
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return offset if 0 <= offset < RANK_POOL else None


def ranked(tickets: QuerySet[Ticket], search: TicketTextSearch) -> QuerySet[Ticket]:
    """``tickets`` (already narrowed by the search) among the newest pool, best match first
    (urgent ones before the rest, as in every sort)."""
    pool = tickets.order_by("-pk").values("pk")[:RANK_POOL]
    best = Ticket.objects.filter(pk__in=pool)
    return search.rank(best).order_by(  # type: ignore[misc]  # an annotation, unseen by the plugin
        "-is_urgent", "-search_rank", "-pk"
    )


def ranked_ids(tickets: QuerySet[Ticket], search: TicketTextSearch) -> list[int]:
    """The ids of the whole ranked pool, in order (for next / previous in the workspace)."""
    return list(ranked(tickets, search).values_list("pk", flat=True))
