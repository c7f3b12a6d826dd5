"""The embedded default: a real worker delivers through kombu's filesystem broker, no server."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from helpdesk.celery import app as celery_app
from tests.brokers import use_broker
from tests.polling import LONG_TEST_TIMEOUT, wait_for
from tickets import services
from tickets.models import Channel, OutboxMessage, OutboxStatus

pytestmark = [pytest.mark.django_db(transaction=True), LONG_TEST_TIMEOUT]


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
        wait_for(
            OutboxMessage.objects.filter(ticket=ticket, status=OutboxStatus.DELIVERED).exists,
            "the acknowledgement to be delivered",
        )

    [email] = mail.outbox
    assert ticket.reference in email.subject
