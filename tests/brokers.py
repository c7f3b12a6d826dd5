"""Point the Celery app at a real broker for a test, then put it back."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings

from helpdesk.celery import app as celery_app

_KEYS = ("broker_url", "broker_read_url", "broker_write_url", "broker_transport_options")


def _forget_connections() -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def use_broker(url: str, transport_options: dict[str, Any]) -> Iterator[None]:
    conf = celery_app.conf
    saved = {key: conf[key] for key in _KEYS}
    conf.update(
        broker_url=url,
        broker_read_url=url,
        broker_write_url=url,
        broker_transport_options=transport_options,
    )
    _forget_connections()
    try:
        yield
    finally:
        conf.update(saved)
        _forget_connections()


@contextlib.contextmanager
def filesystem_broker(folder: Path) -> Iterator[None]:
    """Celery on kombu's filesystem broker (the embedded default), its queues in ``folder``."""
    folders = {name: folder / name for name in ("queue", "processed", "control")}
    for made in folders.values():
        made.mkdir(parents=True, exist_ok=True)
    options = {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "processed_folder": str(folders["processed"]),
        "control_folder": str(folders["control"]),
        "store_processed": False,
    }
    with use_broker("filesystem://localhost/", options):
        yield


def with_run_prefix(transport_options: dict[str, Any]) -> dict[str, Any]:
    """Broker options that keep this run's queues, bindings and mailboxes under its prefix."""
    return {**transport_options, "global_keyprefix": f"{settings.TEST_RUN_ID}:"}


def _delete_run_keys(client: redis.Redis) -> None:
    keys = list(client.scan_iter(match=f"{settings.TEST_RUN_ID}:*", count=1000))
    if keys:
        client.delete(*keys)


@contextlib.contextmanager
def real_redis_database(db_variable: str, default_db: int, needed_for: str) -> Iterator[str]:
    """A real Redis database, in which this run's broker keys are empty at the start and after.

    The broker under test if it is Redis (CI), else TEST_REDIS_URL or the local
    default; the database number comes from ``db_variable``. Another checkout's
    run may use the same database at the same time: each run's keys carry its own
    prefix (use :func:`with_run_prefix` for the transport options), and only
    those are deleted, never the whole database. Without Redis the test is
    skipped, except on CI, where it fails.
    """
    url = settings.REAL_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
    parts = urlsplit(url)
    url = urlunsplit(parts._replace(path=f"/{os.environ.get(db_variable, str(default_db))}"))
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        _delete_run_keys(client)
    except redis.RedisError as exc:
        message = f"Redis is needed for {needed_for} at {url}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    yield url
    _delete_run_keys(client)
