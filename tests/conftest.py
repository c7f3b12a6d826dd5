"""Shared fixtures: per test an empty cache and a clean broker breaker; the handler registry."""

from __future__ import annotations

import importlib

import pytest

from helpdesk import cache as helpdesk_cache
from tests.isolation import empty_caches
from tests.lang_checks import compile_catalogues
from tickets import outbox, outbox_kinds

# The local fake Slack's fixtures (``slack``, ``slack_server``), for any test that asks.
pytest_plugins = ["tests.fake_slack", "tests.webhook_receiver"]


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked ``postgres`` need PostgreSQL; on another database they skip, saying so."""
    if item.get_closest_marker("postgres"):
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://…)")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _refuse_flushdb(self, *args, **kwargs):
    raise AssertionError(
        "cache.clear() on Redis is FLUSHDB: it would empty other checkouts' keys on a shared "
        "Redis. Each test already starts from an empty namespace (tests/isolation.py)."
    )


@pytest.fixture(autouse=True, scope="session")
def _compiled_catalogues():
    """The translations compiled, as `make install` does (their .mo files are not committed)."""
    compile_catalogues()


@pytest.fixture(autouse=True, scope="session")
def _no_flushdb_of_a_shared_redis():
    from django.core.cache.backends.redis import RedisCache

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RedisCache, "clear", _refuse_flushdb)
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters, locks and tracking marks never carry over to the next test.

    The caches are taken before the test runs, so a test that points CACHES at a
    Redis that is down (the outage tests) does not make the clean-up fail.
    """
    from django.core.cache import caches

    configured = caches.all()
    empty_caches(configured)
    yield
    empty_caches(configured)


@pytest.fixture(autouse=True)
def _fresh_broker_breaker():
    """A store that failed in one test (a slow shared Redis) stays usable in the next."""
    _reset_breakers()
    yield
    _reset_breakers()


def _reset_breakers() -> None:
    outbox.broker_breaker.reset()
    for breaker in list(helpdesk_cache._breakers.values()):
        breaker.reset()


@pytest.fixture
def handlers():
    """Register test handlers for a test only; the real registry is restored after."""
    saved = dict(outbox_kinds._handlers)
    yield outbox_kinds.register_handler
    outbox_kinds._handlers.clear()
    outbox_kinds._handlers.update(saved)


@pytest.fixture(autouse=True)
def _default_taxonomy_in_transactional_tests(request):
    """A transactional test starts after another's flush, which empties the seeded taxonomy
    and SLA policy; put the data migration's defaults back, as every other test sees them."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    if marker.kwargs.get("serialized_rollback"):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    from catalog.defaults import seed_default_taxonomy
    from catalog.models import Hub

    if Hub.objects.exists():
        return
    seed_default_taxonomy()
    sla = importlib.import_module("tickets.migrations.0004_sla_clocks_policies_closures")
    sla.default_policy(apps, None)
    following = importlib.import_module("tickets.migrations.0012_next_response_target")
    following.seed_next_response_policies(apps, None)
    urgent = importlib.import_module("tickets.migrations.0013_urgent_flag_and_policy")
    urgent.seed_urgent_policy(apps, None)
