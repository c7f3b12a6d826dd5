"""A broker that is down or hung never holds up a ticket; the outbox delivers once it is back.

These tests use the real Redis (CELERY_BROKER_URL when it names Redis, as on CI,
else TEST_REDIS_URL or the local default) and a real Celery worker thread.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.db.models import F

from helpdesk.celery import app as celery_app
from tests.brokers import real_redis_database, use_broker, with_run_prefix
from tests.polling import LONG_TEST_TIMEOUT, wait_for
from tests.workers import celery_worker
from tickets import outbox, services
from tickets.models import Channel, OutboxMessage, OutboxStatus

# Any database: what is under test is a broker that is down or hung (the real Redis, a
# worker thread); the rows it reads are ordinary ones. CI runs it once, on PostgreSQL
# (.ci/run).
pytestmark = [
    pytest.mark.database_agnostic,
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True),
    LONG_TEST_TIMEOUT,
]

# How long creating a ticket may take with a broken broker: the publish timeout is
# one second; this bound only tells "returns promptly" from "hangs".
PROMPT = 5.0


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The real Redis, on a database of its own that each test starts and leaves empty."""
    with real_redis_database("TEST_REDIS_DB", 15, "the broker outage tests") as url:
        yield url


@contextlib.contextmanager
def broker(url: str) -> Iterator[None]:
    """Point the Celery app at a Redis URL, with the production transport options."""
    with use_broker(url, with_run_prefix(settings.REDIS_BROKER_TRANSPORT_OPTIONS)):
        assert celery_app.connection_for_write().port == urlsplit(url).port
        yield


@pytest.fixture
def hung_broker() -> Iterator[str]:
    """A server that accepts connections and never answers, as a hung Redis does."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                accepted.append(server.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def log_a_ticket():
    return services.ticket_create(
        requester_email="amara@partner.example.org",
        requester_name="Amara Diallo",
        subject="Dashboard down for the whole team",
        channel=Channel.WEB,
    )


def wait_until_delivered(row: OutboxMessage) -> None:
    def delivered() -> bool:
        row.refresh_from_db()
        return row.status == OutboxStatus.DELIVERED

    wait_for(delivered, f"outbox row {row.pk} to be delivered")


def a_minute_passes() -> None:
    """The outage outlasts the sweeper's grace period for rows just written."""
    OutboxMessage.objects.update(next_attempt_at=F("next_attempt_at") - timedelta(minutes=1))


def redis_saw_the_queue(redis_url: str) -> bool:
    """Kombu leaves its bindings in Redis: proof the worker used the real broker."""
    return bool(redis.Redis.from_url(redis_url).keys(f"{settings.TEST_RUN_ID}:_kombu.binding.*"))


def deliver_with_a_real_worker(redis_url: str) -> OutboxMessage:
    row = OutboxMessage.objects.get()
    with broker(redis_url), celery_worker():
        a_minute_passes()
        assert outbox.outbox_sweep() == 1  # what beat runs every minute
        wait_until_delivered(row)
    assert redis_saw_the_queue(redis_url)
    return row


def test_a_ticket_logged_while_the_broker_is_down_is_acknowledged_once_it_is_back(redis_url):
    with broker(f"redis://127.0.0.1:{closed_port()}/0"):
        started = time.monotonic()
        ticket = log_a_ticket()
        took = time.monotonic() - started

    assert took < PROMPT
    row = OutboxMessage.objects.get(ticket=ticket)
    assert row.status == OutboxStatus.PENDING
    assert mail.outbox == []

    deliver_with_a_real_worker(redis_url)

    [email] = mail.outbox
    assert ticket.reference in email.subject


def test_a_hung_broker_costs_one_short_wait_and_nothing_is_lost(redis_url, hung_broker):
    with broker(hung_broker):
        started = time.monotonic()
        first = log_a_ticket()
        first_took = time.monotonic() - started
        started = time.monotonic()
        second = log_a_ticket()
        second_took = time.monotonic() - started

    assert first_took < PROMPT
    # After one timeout this process stops trying for a while: no wait at all.
    assert second_took < first_took
    assert OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count() == 2

    with broker(redis_url), celery_worker():
        a_minute_passes()
        assert outbox.outbox_sweep() == 2
        for row in OutboxMessage.objects.all():
            wait_until_delivered(row)
    assert redis_saw_the_queue(redis_url)
    # Both acknowledgements arrive (HD-9 and HD-10 do not sort as numbers: compare sets).
    delivered = {m.subject.split("]")[0] + "]" for m in mail.outbox}
    assert delivered == {f"[{first.reference}]", f"[{second.reference}]"}
    assert len(mail.outbox) == 2


def test_with_a_healthy_broker_the_worker_delivers_right_after_commit(redis_url):
    with broker(redis_url), celery_worker():
        ticket = log_a_ticket()
        wait_until_delivered(OutboxMessage.objects.get(ticket=ticket))
    assert redis_saw_the_queue(redis_url)
    assert len(mail.outbox) == 1


def test_hand_overs_reuse_the_web_process_s_broker_connection(redis_url):
    """The pool is on: five tickets hand their acknowledgements over, not a connection each."""
    from unittest import mock

    from redis.connection import AbstractConnection

    connects: list[int] = []
    connect = AbstractConnection.connect

    def counted(connection: AbstractConnection) -> None:
        if connection._sock is None:  # a new socket, not a connection already open
            connects.append(1)
        connect(connection)

    assert celery_app.conf.broker_pool_limit == settings.CELERY_BROKER_POOL_LIMIT > 0
    with broker(redis_url), mock.patch.object(AbstractConnection, "connect", counted):
        for _ in range(5):
            log_a_ticket()
    assert not outbox.broker_breaker.is_open()  # all five were handed over...
    queue = f"{settings.TEST_RUN_ID}:email"  # acknowledgements are mail: the email queue
    assert redis.Redis.from_url(redis_url).llen(queue) == 5  # ... to the real broker
    assert len(connects) <= 2  # at most the first hand-over's own (5 or more without the pool)
