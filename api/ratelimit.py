"""Requests per caller and window (``API_RATE_LIMIT``), counted in the Django cache.

A fixed window: one counter per caller and window, made with ``add`` and
bumped with ``incr``, expiring with the window. Simple and one cache call per
request in the common case; a burst at a window's edge may reach twice the
limit over a short span, which is fine for protecting the service.

The cache is Redis in production, guarded (helpdesk.cache): a hung or absent
Redis costs at most the request's network budget, and then the API **fails
open**: the request goes through uncounted, rather than erroring or waiting.
A rate limit protects the service; refusing everyone while Redis is down
would hurt it more.
"""

from __future__ import annotations

import logging
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)s?\s*$")


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(text: str) -> Rate:
    """``"120/minute"`` → Rate(120, 60)."""
    match = _RATE.match(text)
    if not match:
        raise ImproperlyConfigured(
            f"API_RATE_LIMIT must read like '120/minute' (second, minute, hour, day): {text!r}"
        )
    return Rate(int(match.group(1)), _PERIODS[match.group(2)])


def over_limit(caller: str, *, now: float | None = None) -> int | None:
    """Count one request of ``caller``: None if allowed, else the seconds until it may retry."""
    rate = parse_rate(settings.API_RATE_LIMIT)
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    key = f"api-rate:{caller}:{window}"
    try:
        try:
            count = cache.incr(key)
        except ValueError:  # the window's first request
            count = 1 if cache.add(key, 1, timeout=rate.seconds + 1) else cache.incr(key)
    except Exception as failure:  # any cache failure (down, paused, out of budget): let it through
        logger.warning("API rate limit not counted (%s): request allowed.", failure)
        return None
    if count <= rate.count:
        return None
    return max(1, math.ceil((window + 1) * rate.seconds - now))
