"""The wait budget and the cache's breaker, call by call (helpdesk.network_budget, helpdesk.cache).

The end-to-end story (a Contact Us submit while Redis hangs) is in
tests/test_web_outage_hung_redis.py; these say the rules it rests on.
"""

from __future__ import annotations

import time

import pytest
import redis

from helpdesk.cache import GuardedRedisCache, cache_breaker
from helpdesk.network_budget import (
    Breaker,
    StoreSkipped,
    budget_spent,
    request_budget,
    store_call,
)
from tests.redis_server import free_port


@pytest.fixture
def breaker(settings) -> Breaker:
    settings.CACHE_FAILURE_PAUSE_SECONDS = 60
    return Breaker("CACHE_FAILURE_PAUSE_SECONDS")


def hang_for(seconds: float) -> None:
    time.sleep(seconds)


def test_the_time_spent_in_calls_comes_out_of_the_budget_then_calls_are_skipped(breaker):
    with request_budget(0.1):
        with store_call("cache", breaker):
            hang_for(0.12)
        assert budget_spent()
        with pytest.raises(StoreSkipped), store_call("cache", breaker):
            pytest.fail("a call after the budget was spent must not be made")
    assert not breaker.is_open()  # slow is not dead: the next request may use it


def test_a_failed_call_pauses_the_store_and_ends_the_requests_waiting(breaker):
    with request_budget(5.0) as budget:
        with pytest.raises(redis.TimeoutError), store_call("cache", breaker):
            raise redis.TimeoutError("Timeout reading from socket")
        assert budget.spent()
    assert breaker.is_open()
    with request_budget(5.0), pytest.raises(StoreSkipped), store_call("cache", breaker):
        pytest.fail("a paused store is not asked")


def test_errors_of_the_callers_own_making_do_not_pause_the_store(breaker):
    with request_budget(5.0) as budget:
        with pytest.raises(ValueError, match="not found"), store_call("cache", breaker):
            raise ValueError("Key 'portal:rate:x' not found.")  # incr of a missing key
        assert not budget.spent()
    assert not breaker.is_open()


def test_outside_a_request_there_is_no_budget_but_the_breaker_holds(breaker):
    with store_call("cache", breaker):
        hang_for(0.01)
    assert not budget_spent()
    breaker.trip()
    with pytest.raises(StoreSkipped), store_call("cache", breaker):
        pytest.fail("a paused store is not asked, in a worker either")


def test_a_skipped_cache_call_is_a_connection_error_the_callers_already_survive(settings):
    location = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    settings.CACHE_FAILURE_PAUSE_SECONDS = 60
    cache = GuardedRedisCache(location, {"OPTIONS": {"socket_connect_timeout": 0.5}})
    try:
        with pytest.raises(redis.ConnectionError):
            cache.get("memo:catalog:version")
        assert cache_breaker([location]).is_open()
        with pytest.raises(StoreSkipped):  # not even a connection attempt
            cache.incr("portal:rate:submit")
        assert issubclass(StoreSkipped, ConnectionError)  # what `except OSError` catches too
    finally:
        cache_breaker([location]).reset()
