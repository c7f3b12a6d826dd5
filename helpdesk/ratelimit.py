"""Rate limits counted in the Django cache: the one fixed-window counter of the project.

The API counts requests per token (``API_RATE_LIMIT``) and answers ``429`` with
``Retry-After``; the portal counts Contact Us posts, replies and link requests
per address, ticket or email and only needs to know whether the limit is passed.
Both count here.

A fixed window: one counter per scope, caller and window, made with ``add`` and
bumped with ``incr``, expiring with the window. One cache call per event in the
common case; a burst at a window's edge may reach twice the limit over a short
span, which is fine for protecting the service.

The cache is Redis in production, guarded (helpdesk.cache): a hung or absent
Redis costs at most the request's network budget, and then the limit **fails
open**: the event goes through uncounted, rather than erroring or waiting. A
rate limit protects the service; refusing everyone while Redis is down would
hurt it more.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from helpdesk.network_budget import StoreSkipped

logger = logging.getLogger(__name__)

_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)s?\s*$")


@dataclass(frozen=True)
class Rate:
    """At most ``count`` events per window of ``seconds``."""

    count: int
    seconds: int


def setting_rate(name: str) -> Rate:
    """The rate in the setting ``name`` (``"120/minute"``), parsed once per text it holds."""
    return _parsed(name, getattr(settings, name))


@functools.lru_cache(maxsize=16)
def _parsed(name: str, text: str) -> Rate:
    match = _RATE.match(text)
    if not match:
        raise ImproperlyConfigured(
            f"{name} must read like '120/minute' (second, minute, hour, day): {text!r}"
        )
    return Rate(int(match.group(1)), _PERIODS[match.group(2)])


def hit(*, scope: str, ident: str, rate: Rate, now: float | None = None) -> int | None:
    """Count one event of ``ident`` in ``scope``: None while within ``rate``, else the
    seconds until its window ends and it may go on (a ``Retry-After``).

    ``scope`` names what is counted (``"api"``, ``"reply"``…) in the keys and logs;
    ``ident`` says who within it. A cache failure lets the event through, logged.
    """
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    key = f"rate:{scope}:{ident}:{window}"
    try:
        try:
            count = cache.incr(key)
        except ValueError:  # the window's first event
            count = 1 if cache.add(key, 1, timeout=rate.seconds + 1) else cache.incr(key)
    except StoreSkipped as skipped:  # paused after a failure: no traceback on each event
        logger.warning("Rate limit %s not counted (%s): let through.", scope, skipped)
        return None
    except Exception:  # any other cache failure (down, timed out): let through, once traced
        logger.warning("Rate limit %s not counted: the cache failed.", scope, exc_info=True)
        return None
    if count <= rate.count:
        return None
    return max(1, math.ceil((window + 1) * rate.seconds - now))
