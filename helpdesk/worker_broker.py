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

It also works around two kombu bugs: one made the worker exit for good when
Redis went away while it held an unacknowledged message (a countdown, or a task
in progress): see :func:`_close_even_if_the_pending_read_fails`; the other left
it connected but consuming nothing after an acknowledgement timed out on a hung
Redis: see :func:`_free_the_prefetch_slot_even_if_the_ack_fails`.
"""

from __future__ import annotations

import functools
import logging
import warnings
from collections.abc import Callable
from typing import Any

from celery.exceptions import CPendingDeprecationWarning
from celery.signals import celeryd_init
from django.conf import settings
from kombu.transport import virtual

logger = logging.getLogger(__name__)


@celeryd_init.connect(dispatch_uid="helpdesk.worker_broker")
def use_worker_broker_options(conf: Any = None, **_: Any) -> None:
    """The worker's own broker settings, applied before it connects."""
    if conf is None:
        return
    worker_broker_options(conf)
    if _is_redis(conf.broker_url):
        patch_kombu_redis()


def _is_redis(url: object) -> bool:
    return str(url).startswith(("redis://", "rediss://"))


def worker_broker_options(conf: Any) -> None:
    """Make ``conf`` (the worker's Celery configuration) patient and reconnect forever."""
    conf.broker_connection_retry = True
    conf.broker_connection_retry_on_startup = True
    conf.broker_connection_max_retries = None  # forever: a worker that gives up delivers nothing
    conf.broker_connection_timeout = settings.REDIS_WORKER_TRANSPORT_OPTIONS[
        "socket_connect_timeout"
    ]
    # A task running when the connection drops finishes and records its outcome in
    # the database (a second run of the same message is then "skipped"); killing it
    # half-way through a delivery could send a message without recording it. Chosen,
    # so Celery's notice that the default changes in 6.0 is not repeated at each loss.
    conf.worker_cancel_long_running_tasks_on_connection_loss = False
    warnings.filterwarnings(
        "ignore",
        message=r"(?s).*worker_cancel_long_running_tasks_on_connection_loss",
        category=CPendingDeprecationWarning,
    )
    if _is_redis(conf.broker_url):
        conf.broker_transport_options = {
            **conf.broker_transport_options,
            **settings.REDIS_WORKER_TRANSPORT_OPTIONS,
        }


def patch_kombu_redis() -> None:
    """The two kombu workarounds below, applied once (the worker process only)."""
    from kombu.transport import redis as kombu_redis

    # Replacing a library's methods is the point here, hence the type: ignore.
    channel, qos = kombu_redis.Channel, kombu_redis.QoS
    if not getattr(channel.close, "_helpdesk_patched", False):
        channel.close = _close_even_if_the_pending_read_fails(channel.close)  # type: ignore[method-assign,assignment]
    if not getattr(qos.ack, "_helpdesk_patched", False):
        qos.ack = _free_the_prefetch_slot_even_if_the_ack_fails(qos.ack)  # type: ignore[method-assign,assignment]


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


def _free_the_prefetch_slot_even_if_the_ack_fails(
    ack: Callable[[Any, str], None],
) -> Callable[[Any, str], None]:
    """A message whose acknowledgement failed must not keep its prefetch slot forever.

    Kombu's Redis ``QoS.ack`` removes the message from Redis's unacked set first
    and only then forgets it locally (``virtual.QoS.ack``). When Redis hangs
    longer than the socket timeout, the removal raises (Celery logs "Couldn't
    ack …, reason: TimeoutError") and the message is never forgotten: with a
    prefetch of one per process, ``QoS.can_consume()`` stays false and the
    worker never asks for another message, though it is connected and alive.
    Seen with kombu 5.7.0 (``kombu.transport.redis.QoS.ack``); no upstream issue
    found. Forgetting it locally anyway is safe: it stays in Redis's unacked set
    and is restored after the visibility timeout, a second run of the same
    delivery finds its row delivered and is skipped. Remove when kombu frees the
    slot itself.
    """

    @functools.wraps(ack)
    def patched(qos: Any, delivery_tag: str) -> None:
        try:
            ack(qos, delivery_tag)
        except Exception:
            virtual.QoS.ack(qos, delivery_tag)
            raise

    patched._helpdesk_patched = True  # type: ignore[attr-defined]
    return patched
