"""Waiting for another thread (a Celery worker, a local server) without a tight deadline.

The bound only tells "it happens" from "it never will": on a loaded two-core
machine a worker can take many seconds to pick a task up, so the default is
generous and the poll returns as soon as the condition holds. Tests that wait
with it mark themselves with ``LONG_TEST_TIMEOUT`` so pytest-timeout does not
fire before the bound.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

WAIT_SECONDS = 120.0
LONG_TEST_TIMEOUT = pytest.mark.timeout(4 * WAIT_SECONDS)


def wait_for[T](
    predicate: Callable[[], T], what: str, *, timeout: float = WAIT_SECONDS, every: float = 0.1
) -> T:
    """Call ``predicate`` until it returns something truthy; return that, or fail at ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)
