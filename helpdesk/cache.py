"""Django's Redis cache, made safe to call from a web request while Redis is hung.

Every cache call in the project already falls back when the cache fails (queue
counts are counted, memos read the database, rate limits let the request
through), but each failing call first waited its socket timeout, and a request
makes several. Guarding them here, at the backend, covers every caller at once,
today's and tomorrow's, instead of wrapping each ``cache.*`` call site: a call is
skipped while this server is paused after a failure or once the request's wait
budget is spent (helpdesk.network_budget), and its time is taken from the budget.
A skipped call raises :class:`~helpdesk.network_budget.StoreSkipped`, which the
callers' fallbacks already handle as a cache failure.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from helpdesk.network_budget import Breaker, store_call

# The key and expiry types of Django's client (as django-stubs spells them).
type Key = str | bytes | memoryview
type Expiry = int | timedelta

_breakers: dict[tuple[str, ...], Breaker] = {}
_breakers_lock = threading.Lock()


def cache_breaker(servers: Iterable[str]) -> Breaker:
    """The process-wide breaker of one cache (Django makes a cache object per thread)."""
    key = tuple(servers)
    with _breakers_lock:
        return _breakers.setdefault(key, Breaker("CACHE_FAILURE_PAUSE_SECONDS"))


class GuardedRedisCacheClient(RedisCacheClient):
    """Each operation of Django's client, under :func:`helpdesk.network_budget.store_call`."""

    def __init__(self, servers: list[str], **options: Any) -> None:
        super().__init__(servers, **options)
        self.breaker = cache_breaker(servers)

    def add(self, key: Key, value: Any, timeout: Expiry | None) -> bool:
        with store_call("cache", self.breaker):
            return super().add(key, value, timeout)

    def get(self, key: Key, default: Any) -> Any:
        with store_call("cache", self.breaker):
            return super().get(key, default)

    def set(self, key: Key, value: Any, timeout: Expiry | None) -> None:
        with store_call("cache", self.breaker):
            super().set(key, value, timeout)

    def touch(self, key: Key, timeout: Expiry) -> bool:
        with store_call("cache", self.breaker):
            return super().touch(key, timeout)

    def delete(self, key: Key) -> bool:
        with store_call("cache", self.breaker):
            return super().delete(key)

    def get_many(self, keys: Iterable[Key]) -> dict[Key, Any]:
        with store_call("cache", self.breaker):
            return super().get_many(keys)

    def has_key(self, key: Key) -> bool:
        with store_call("cache", self.breaker):
            return super().has_key(key)

    def incr(self, key: Key, delta: int) -> Any:
        with store_call("cache", self.breaker):
            return super().incr(key, delta)

    def set_many(self, data: Mapping[Key, Any], timeout: Expiry) -> None:
        with store_call("cache", self.breaker):
            super().set_many(data, timeout)

    def delete_many(self, keys: Iterable[Key]) -> None:
        with store_call("cache", self.breaker):
            super().delete_many(keys)

    def clear(self) -> bool:
        with store_call("cache", self.breaker):
            return super().clear()


class GuardedRedisCache(RedisCache):
    """``CACHE_URL=redis://…`` uses this backend (helpdesk.settings)."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = GuardedRedisCacheClient
