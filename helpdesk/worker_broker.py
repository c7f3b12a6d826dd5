"""How the Celery worker process talks to its broker: patiently, and for as long as it takes.

The web process hands rows to the broker with short timeouts and one try
(``REDIS_BROKER_TRANSPORT_OPTIONS``): a hung broker must not hold a request, and
the outbox sweeper delivers what it could not hand over. Celery has one set of
transport options per app, for producer and consumer alike, so those short
timeouts used to apply to the worker's consumer too: a Redis hung for a few
seconds then broke the worker's acknowledgements and its connection. The worker
is the one process that should wait a broker out, so when ``celery worker``
starts (the ``celeryd_init`` signal, sent only by the worker program: not by
beat, the web processes or the tests' in-thread worker) it takes the patient
options and reconnects forever.

It also works around a kombu bug that made the worker exit for good when Redis
went away while it held an unacknowledged message (a countdown, or a task in
progress): see :func:`_close_even_if_the_pending_read_fails`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from celery.signals import celeryd_init
from django.conf import settings

logger = logging.getLogger(__name__)


@celeryd_init.connect(dispatch_uid="helpdesk.worker_broker")
def use_worker_broker_options(conf: Any = None, **_: Any) -> None:
    """The worker's own broker settings, applied before it connects."""
    if conf is None:
        return
    worker_broker_options(conf)


def worker_broker_options(conf: Any) -> None:
    conf.broker_connection_retry = True
    conf.broker_connection_retry_on_startup = True
    conf.broker_connection_max_retries = None  # forever: a worker that gives up delivers nothing
    conf.broker_connection_timeout = settings.REDIS_WORKER_TRANSPORT_OPTIONS[
        "socket_connect_timeout"
    ]
    # A task running when the connection drops finishes and records its outcome in
    # the database (a second run of the same message is then "skipped"); killing it
    # half-way through a delivery could send a message without recording it.
    conf.worker_cancel_long_running_tasks_on_connection_loss = False
    if str(conf.broker_url).startswith(("redis://", "rediss://")):
        conf.broker_transport_options = {
            **conf.broker_transport_options,
            **settings.REDIS_WORKER_TRANSPORT_OPTIONS,
        }
        patch_kombu_redis_channel_close()


def patch_kombu_redis_channel_close() -> None:
    from kombu.transport import redis as kombu_redis

    close = kombu_redis.Channel.close
    if not getattr(close, "_helpdesk_patched", False):
        kombu_redis.Channel.close = _close_even_if_the_pending_read_fails(close)


def _close_even_if_the_pending_read_fails(close: Callable[[Any], None]) -> Callable[[Any], None]:
    """Kombu's Redis channel, closed on a lost connection, must close completely the first time.

    On a connection loss Celery's consumer calls ``Connection.collect()`` then
    ``close()``. ``collect()`` closes the channel, whose ``close()`` first reads
    the reply of its pending BRPOP: with Redis gone that read raises, the rest of
    ``close()`` is skipped, the error is ignored and the transport is detached
    (``transport.client = None``). ``close()`` then closes the channel again, now
    restoring its unacknowledged messages through the detached transport:
    ``AttributeError: 'NoneType' object has no attribute 'hostname'`` in
    ``_connparams``, not a connection error, so the worker stops with
    "Unrecoverable error". Seen with kombu 5.7.0 and Celery 5.7.0 (the
    ``Restoring N unacknowledged message(s)`` line comes just before); the read
    comes from ``kombu.transport.redis.Channel.close`` and the crash from
    ``Channel._connparams``. The reply of a BRPOP on a dead connection is lost
    anyway, so a failed read is ignored and the channel closes the rest of the
    way: the messages it held stay in Redis's unacked set and come back after
    the visibility timeout; the outbox sweeper hands their rows over earlier.
    Remove when kombu closes the channel despite the failed read.
    """

    @functools.wraps(close)
    def patched(channel: Any) -> None:
        if channel._in_poll:
            try:
                channel._brpop_read()
            except Exception as exc:  # Empty, or the broker is gone: nothing left to read
                logger.debug("Pending BRPOP reply lost on close: %r", exc)
        close(channel)

    patched._helpdesk_patched = True  # type: ignore[attr-defined]
    return patched
