"""The embedded default: a real worker delivers through kombu's filesystem broker, no server."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from helpdesk.celery import app as celery_app
from tests.brokers import use_broker
from tickets import services
from tickets.models import Channel, OutboxMessage, OutboxStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def filesystem_broker(tmp_path):
    folders = {name: tmp_path / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir()
    options = {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "processed_folder": str(folders["processed"]),
        "control_folder": str(folders["control"]),
        "store_processed": False,
    }
    with use_broker("filesystem://localhost/", options):
        assert celery_app.connection_for_write().transport_cls == "filesystem"
        yield


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
