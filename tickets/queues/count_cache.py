"""Queue counts kept a few seconds in the shared cache, so not every desk page counts.

Every desk page shows each queue's bounded count; at a million tickets that one
statement takes 20 to 35 ms. The counts are kept ``DESK_COUNTS_CACHE_SECONDS`` (a few
seconds) under keys shared by all agents, except where the queue depends on who
reads it ("Mine") or on the view's own filters and search, which are kept per
reader. Only the missing counts are counted, still in one statement.

The cache is Redis in production. If it fails, the counts are counted as before
and the page renders: a cache outage is logged, never an error page.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet

from tickets.models import Ticket

logger = logging.getLogger(__name__)

KEY_PREFIX = "desk:counts:v2"

# Queues whose tickets depend on the reading agent (their counts are kept per agent).
PER_AGENT_QUEUES = frozenset({"mine"})


def queue_key(slug: str, user_id: int) -> str:
    if slug in PER_AGENT_QUEUES:
        return f"{KEY_PREFIX}:{slug}:{user_id}"
    return f"{KEY_PREFIX}:{slug}"


def view_key(user_id: int, slug: str, querystring: str) -> str:
    """A filtered or searched view's count, per agent (filters such as "assigned to me")."""
    digest = hashlib.sha256(f"{slug}?{querystring}".encode()).hexdigest()[:32]
    return f"{KEY_PREFIX}:view:{user_id}:{digest}"


def cached_counts(
    wanted: Sequence[tuple[str, Callable[[], QuerySet[Ticket]]]],
    count: Callable[[list[tuple[str, QuerySet[Ticket]]]], dict[str, int]],
) -> dict[str, int]:
    """The count of each (key, tickets) in ``wanted``: from the cache, or counted and kept."""
    seconds = settings.DESK_COUNTS_CACHE_SECONDS
    keys = [key for key, _ in wanted]
    found: dict[str, int] = {}
    if seconds > 0:
        found = _fresh(_read(keys), now=time.time(), seconds=seconds)
    missing = [(key, tickets()) for key, tickets in wanted if key not in found]
    if missing:
        counted = count(missing)
        if seconds > 0:
            _keep(counted, now=time.time(), seconds=seconds)
        found = {**found, **counted}
    return {key: found[key] for key in keys}


def _read(keys: list[str]) -> dict[str, object]:
    try:
        return cache.get_many(keys)
    except Exception:
        logger.warning("Queue counts not read from the cache: it failed.", exc_info=True)
        return {}


def _fresh(entries: dict[str, object], *, now: float, seconds: int) -> dict[str, int]:
    """The entries counted less than ``seconds`` ago by this process's clock.

    Each entry carries when it was counted: the cache's own expiry runs on its
    server's clock, which need not agree with ours (or a test's travelling one).
    """
    fresh = {}
    for key, entry in entries.items():
        if isinstance(entry, tuple) and len(entry) == 2 and 0 <= now - entry[1] < seconds:
            fresh[key] = int(entry[0])
    return fresh


def _keep(counted: dict[str, int], *, now: float, seconds: int) -> None:
    try:
        cache.set_many({key: (value, now) for key, value in counted.items()}, timeout=seconds)
    except Exception:
        logger.warning("Queue counts not kept in the cache: it failed.", exc_info=True)
