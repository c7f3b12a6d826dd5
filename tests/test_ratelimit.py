"""The one fixed-window counter (helpdesk.ratelimit) the API and the portal both count with.

What each door answers over its limit (the API's 429 with Retry-After, the
portal's 429 page that keeps what was typed) is tested with the door:
tests/test_api_auth.py, tests/test_api_requests.py, tests/contact_us/test_abuse.py.
"""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import ImproperlyConfigured

from helpdesk import ratelimit
from helpdesk.ratelimit import Rate
from tests.redis_server import free_port


def test_the_window_ends_and_the_caller_may_go_on():
    twice_a_second = Rate(count=2, seconds=1)

    def hit(now: float) -> int | None:
        return ratelimit.hit(scope="api", ident="token:1", rate=twice_a_second, now=now)

    assert [hit(100.2), hit(100.5), hit(100.9), hit(101.0)] == [None, None, 1, None]


def test_the_wait_runs_to_the_end_of_the_window():
    per_minute = Rate(count=1, seconds=60)

    ratelimit.hit(scope="api", ident="token:1", rate=per_minute, now=130.0)

    assert ratelimit.hit(scope="api", ident="token:1", rate=per_minute, now=130.0) == 50


def test_callers_and_scopes_are_counted_apart():
    once = Rate(count=1, seconds=3600)
    ratelimit.hit(scope="portal:reply", ident="42", rate=once)

    assert ratelimit.hit(scope="portal:reply", ident="43", rate=once) is None
    assert ratelimit.hit(scope="portal:links-ip", ident="42", rate=once) is None
    assert ratelimit.hit(scope="portal:reply", ident="42", rate=once) is not None


def test_the_api_rate_limit_is_read_like_120_per_minute_and_parsed_once(settings):
    settings.API_RATE_LIMIT = "120/minute"
    assert ratelimit.setting_rate("API_RATE_LIMIT") == Rate(120, 60)
    assert ratelimit.setting_rate("API_RATE_LIMIT") is ratelimit.setting_rate("API_RATE_LIMIT")

    settings.API_RATE_LIMIT = " 5 / hours "
    assert ratelimit.setting_rate("API_RATE_LIMIT") == Rate(5, 3600)


def test_a_malformed_api_rate_limit_is_a_configuration_error_naming_the_setting(settings):
    settings.API_RATE_LIMIT = "lots"

    with pytest.raises(ImproperlyConfigured, match=r"^API_RATE_LIMIT must read like '120/minute'"):
        ratelimit.setting_rate("API_RATE_LIMIT")


def test_a_cache_paused_after_a_failure_lets_events_through_with_a_one_line_warning(
    settings, caplog
):
    settings.CACHE_FAILURE_PAUSE_SECONDS = 60
    settings.CACHES = {
        "default": {
            "BACKEND": "helpdesk.cache.GuardedRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    once = Rate(count=1, seconds=3600)

    with caplog.at_level(logging.WARNING, logger="helpdesk.ratelimit"):
        waits = [ratelimit.hit(scope="portal:reply", ident="42", rate=once) for _ in range(3)]

    assert waits == [None, None, None]  # fails open: the limit of one is never reached
    failed, *paused = [r for r in caplog.records if r.name == "helpdesk.ratelimit"]
    assert failed.exc_info is not None  # the failure itself is traced, once
    assert len(paused) == 2
    for record in paused:
        assert record.exc_info is None
        assert "paused after a failure" in record.getMessage()
