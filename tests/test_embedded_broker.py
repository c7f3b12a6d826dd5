"""The embedded default: a real worker delivers through kombu's filesystem broker, no server."""

import pytest
from django.core import mail
from django.db import connection

from helpdesk.celery import app as celery_app
from tests.brokers import filesystem_broker
from tests.polling import LONG_TEST_TIMEOUT, wait_for
from tests.workers import celery_worker
from tickets import services
from tickets.models import Channel, OutboxMessage, OutboxStatus

pytestmark = [pytest.mark.django_db(transaction=True), LONG_TEST_TIMEOUT]


@pytest.fixture(name="filesystem_broker")
def on_the_filesystem_broker(tmp_path):
    with filesystem_broker(tmp_path):
        assert celery_app.connection_for_write().transport_cls == "filesystem"
        yield


def a_ticket_acknowledged_by_the_worker():
    ticket = services.ticket_create(
        requester_email="chidi@partner.example.org",
        subject="Cannot log in to the Flow dashboard",
        channel=Channel.WEB,
    )
    wait_for(
        OutboxMessage.objects.filter(ticket=ticket, status=OutboxStatus.DELIVERED).exists,
        "the acknowledgement to be delivered",
    )
    return ticket


def test_the_acknowledgement_is_delivered_by_a_worker_on_the_embedded_broker(filesystem_broker):
    with celery_worker():
        ticket = a_ticket_acknowledged_by_the_worker()

    [email] = mail.outbox
    assert ticket.reference in email.subject


def other_sessions_on_the_test_database() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.postgres
def test_the_worker_thread_keeps_no_database_session_once_its_task_is_done(filesystem_broker):
    with celery_worker():
        a_ticket_acknowledged_by_the_worker()
        # Still running, idle: what it kept open now would outlive the test database.
        wait_for(lambda: other_sessions_on_the_test_database() == 0, "the worker to close")
