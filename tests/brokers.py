"""Point the Celery app at a real broker for a test, then put it back."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

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
