"""What each test starts from: an empty cache namespace of its own run.

The test settings give every run its own ``KEY_PREFIX``; emptying means deleting
the keys under that prefix. ``cache.clear()`` on Redis is FLUSHDB, which would
also empty the keys of another checkout's run sharing the same Redis database.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import BaseCache
from django.core.cache.backends.redis import RedisCache


def empty_cache(cache: BaseCache) -> None:
    """Remove every key this run wrote to ``cache``, and no other."""
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
    else:
        cache.clear()  # in-process (locmem) or dummy: only this run can see it


def empty_caches(caches: Iterable[BaseCache]) -> None:
    for cache in caches:
        empty_cache(cache)
