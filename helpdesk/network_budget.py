"""How long one web request may wait on the network stores (the Redis cache and broker).

A hung Redis accepts connections and never answers: every call then waits its
whole socket timeout. A Contact Us submit touches the cache several times (the
catalog and SLA memos, two rate-limit counters) and hands its outbox rows to the
broker, so short timeouts alone still added up to seconds. Two rules bound it:

- **One budget per request** (``NETWORK_WAIT_BUDGET_SECONDS``), set by the
  request layer (helpdesk.middleware): the time spent in cache calls is taken
  from it, a failed call spends all of it, and once it is spent, cache calls and
  broker hand-overs are skipped (the callers already fall back: counted again,
  let through, swept later). A call already started may take its own timeout,
  so a request waits at most the budget plus one timeout of each store (cache
  0.5 s, broker 1 s by default); the broker's hand-over is not timed here (it
  is tickets.outbox's), but its breaker makes it fail at most once per pause.
- **A breaker per store**: a call that fails (timeout, refused) pauses that store
  for the whole process (``CACHE_FAILURE_PAUSE_SECONDS``), as the outbox's
  ``broker_breaker`` does for the broker, so the next calls and requests do not
  wait for it again.

Outside a request (workers, beat, commands) there is no budget; the breakers apply.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
import time
from collections.abc import Iterator

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

# A store that cannot answer: these trip its breaker (not, say, a ValueError of incr).
STORE_FAILURES: tuple[type[BaseException], ...] = (
    redis.ConnectionError,
    redis.TimeoutError,
    OSError,
)


class StoreSkipped(ConnectionError):
    """The call was not made: its store is paused after a failure, or the budget is spent.

    A ConnectionError, so callers that survive a store outage survive this too.
    """


class Budget:
    """What is left of one request's time for waiting on network stores."""

    def __init__(self, seconds: float) -> None:
        self.left = seconds

    def spent(self) -> bool:
        return self.left <= 0

    def charge(self, seconds: float) -> None:
        self.left -= seconds


_budget: contextvars.ContextVar[Budget | None] = contextvars.ContextVar(
    "network_budget", default=None
)


@contextlib.contextmanager
def request_budget(seconds: float) -> Iterator[Budget]:
    """The budget of the request (or other unit of work) running inside this block."""
    budget = Budget(seconds)
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)


def budget_spent() -> bool:
    """Whether the current request may wait on a network store no more."""
    budget = _budget.get()
    return budget is not None and budget.spent()


class Breaker:
    """Remembers a failed call so this process leaves the store alone for a pause.

    The pause is read from the setting named ``pause_setting`` when it trips.
    """

    def __init__(self, pause_setting: str) -> None:
        self.pause_setting = pause_setting
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def is_open(self) -> bool:
        return time.monotonic() < self._paused_until

    def trip(self) -> None:
        with self._lock:
            pause = float(getattr(settings, self.pause_setting))
            self._paused_until = time.monotonic() + pause

    def reset(self) -> None:
        with self._lock:
            self._paused_until = 0.0


@contextlib.contextmanager
def store_call(store: str, breaker: Breaker) -> Iterator[None]:
    """One call to a network store: skipped when paused or out of budget, timed, and a
    failure trips the store's breaker. Raises :class:`StoreSkipped` when skipped."""
    if breaker.is_open():
        raise StoreSkipped(f"{store} paused after a failure")
    budget = _budget.get()
    if budget is not None and budget.spent():
        raise StoreSkipped(f"{store} skipped: this request's wait budget is spent")
    started = time.monotonic()
    try:
        yield
    except STORE_FAILURES as failure:
        breaker.trip()
        logger.warning(
            "The %s failed (%s): this process leaves it alone for %s s.",
            store,
            failure,
            getattr(settings, breaker.pause_setting),
        )
        if budget is not None:
            # The cache and the broker are often the same Redis, or behind the same
            # network: a request that waited on one dead store waits on no other (its
            # outbox rows are then handed over by the sweeper).
            budget.left = 0
        raise
    finally:
        if budget is not None:
            budget.charge(time.monotonic() - started)
