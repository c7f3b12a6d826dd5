"""The embedded default: a real worker delivers through kombu's filesystem broker, no server."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from helpdesk.celery import app as celery_app
from tickets import services
from tickets.models import Channel, OutboxMessage, OutboxStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def filesystem_broker(tmp_path):
    folders = {name: tmp_path / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir()
    conf = celery_app.conf
    keys = ("broker_url", "broker_read_url", "broker_write_url", "broker_transport_options")
    saved = {key: conf[key] for key in keys}
    conf.update(
        broker_url="filesystem://",
        broker_read_url="filesystem://",
        broker_write_url="filesystem://",
        broker_transport_options={
            "data_folder_in": str(folders["queue"]),
            "data_folder_out": str(folders["queue"]),
            "processed_folder": str(folders["processed"]),
            "control_folder": str(folders["control"]),
            "store_processed": False,
        },
    )
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    assert celery_app.connection_for_write().transport_cls == "filesystem"
    yield folders["queue"]
    conf.update(saved)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_the_acknowledgement_is_delivered_by_a_worker_on_the_embedded_broker(filesystem_broker):
    with start_worker(celery_app, pool="solo", perform_ping_check=False):
        ticket = services.ticket_create(
            requester_email="chidi@partner.example.org",
            subject="Cannot log in to the Flow dashboard",
            channel=Channel.WEB,
        )
        row = OutboxMessage.objects.get(ticket=ticket)
        deadline = time.monotonic() + 20
        while row.status != OutboxStatus.DELIVERED and time.monotonic() < deadline:
            time.sleep(0.1)
            row.refresh_from_db()

    assert row.status == OutboxStatus.DELIVERED
    [email] = mail.outbox
    assert ticket.reference in email.subject
