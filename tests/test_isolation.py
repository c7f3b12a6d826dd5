"""The test suite isolates itself: no cache state or network access leaks between tests."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from pytest_socket import SocketConnectBlockedError

from portal.services import rate_limit_exceeded
from tests.browser.chromium import without_chromium
from tests.isolation import empty_cache

RATE_LIMITED = "leaky@partner.example.org"


def test_this_run_keeps_its_cache_keys_under_a_prefix_of_its_own():
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    assert f"test-{os.getpid()}-" in prefix
    assert cache.make_key("portal:rate:x").startswith(f"{prefix}:")


def test_a_rate_limit_used_up_in_one_test(settings):
    assert not rate_limit_exceeded(scope="submit", ident=RATE_LIMITED, limit=1)
    assert rate_limit_exceeded(scope="submit", ident=RATE_LIMITED, limit=1)
    cache.set("isolation:left-behind", "yes")


def test_is_fresh_again_in_the_next_test():
    # Runs after the test above (pytest keeps file order): nothing it counted is left.
    assert cache.get("isolation:left-behind") is None
    assert not rate_limit_exceeded(scope="submit", ident=RATE_LIMITED, limit=1)


def _redis_location() -> str:
    configured = settings.CACHES["default"]
    if configured["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        location = configured["LOCATION"]
        return location[0] if isinstance(location, list) else location
    return os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/") + "/1"


@pytest.fixture
def two_runs_on_one_redis() -> Iterator[tuple[RedisCache, RedisCache]]:
    """Two test runs' caches on the same Redis database, as two checkouts have on CI."""
    location = _redis_location()
    options = {"socket_connect_timeout": 1, "socket_timeout": 1}
    ours, theirs = (
        RedisCache(location, {"KEY_PREFIX": f"run-{secrets.token_hex(4)}", "OPTIONS": options})
        for _ in range(2)
    )
    try:
        ours.set("probe", 1, timeout=60)
    except Exception as exc:  # any connection failure: Redis is not there
        message = f"Redis is needed for the cache isolation test at {location}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    yield ours, theirs
    for run in (ours, theirs):
        empty_cache(run)


def test_emptying_this_runs_cache_leaves_another_runs_keys_on_the_same_redis(
    two_runs_on_one_redis,
):
    ours, theirs = two_runs_on_one_redis
    ours.set_many({f"rate:{n}": n for n in range(1500)}, timeout=60)
    theirs.set("rate:0", "theirs", timeout=60)

    empty_cache(ours)

    assert ours.get_many([f"rate:{n}" for n in range(1500)]) == {}
    assert theirs.get("rate:0") == "theirs"


@pytest.mark.parametrize(
    ("family", "address"),
    [
        (socket.AF_INET, ("192.0.2.10", 443)),  # TEST-NET-1: stands for any host out there
        (socket.AF_INET6, ("2001:db8::10", 443)),  # its IPv6 documentation twin
    ],
)
@pytest.mark.filterwarnings("ignore:A test tried to use socket.socket.connect")
def test_a_test_cannot_connect_beyond_this_machine(family, address):
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        with pytest.raises(SocketConnectBlockedError):
            sock.connect(address)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_local_servers_stay_reachable(host):
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        with socket.create_connection((host, port), timeout=1):
            conn, _ = server.accept()
            conn.close()


@pytest.mark.parametrize(
    ("found", "environ", "action"),
    [
        (True, {"CI": "true"}, None),
        (False, {}, "fail"),
        (False, {"SKIP_BROWSER_TESTS": "1"}, "skip"),
        (False, {"CI": "true"}, "fail"),
        (False, {"CI": "true", "SKIP_BROWSER_TESTS": "1"}, "fail"),  # CI never skips
    ],
)
def test_browser_journeys_without_chromium_fail_unless_a_person_opts_out_and_never_on_ci(
    found, environ, action
):
    outcome = without_chromium(found, environ)
    assert (outcome and outcome[0]) == action
    if outcome:
        assert "apt-get install chromium" in outcome[1]


def test_a_test_cannot_flush_a_shared_redis(two_runs_on_one_redis):
    ours, theirs = two_runs_on_one_redis
    theirs.set("rate:0", "theirs", timeout=60)

    with pytest.raises(AssertionError, match="FLUSHDB"):
        ours.clear()

    assert theirs.get("rate:0") == "theirs"
