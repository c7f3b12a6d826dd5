"""Shared fixtures: the outbox handler registry and a clean broker breaker per test."""

from __future__ import annotations

import pytest

from tickets import outbox


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_broker_breaker():
    outbox.broker_breaker.reset()
    yield
    outbox.broker_breaker.reset()


@pytest.fixture
def handlers():
    """Register test handlers for a test only; the real registry is restored after."""
    saved = dict(outbox._handlers)
    yield outbox.register_handler
    outbox._handlers.clear()
    outbox._handlers.update(saved)
