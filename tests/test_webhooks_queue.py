"""Outgoing webhooks wait on a queue of their own, never in front of acknowledgements and alerts.

A subscriber's receiver may hold a worker for ``WEBHOOK_TIMEOUT_SECONDS``; on the
``webhooks`` queue, the requester's acknowledgement (``email``) and the team's
Slack alert (``slack``) do not wait behind it. The broker here is a real one, the
embedded filesystem broker in a folder of the test's own, read back queue by queue.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from queue import Empty

import pytest
from django.utils import timezone

from helpdesk.celery import app as celery_app
from tests.brokers import filesystem_broker
from tests.webhook_receiver import subscribe, webhook_rows
from tickets import services
from tickets.models import Channel, OutboxMessage
from tickets.outbox_kinds import OutboxKind
from tickets.outbox_sweep import outbox_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[None]:
    with filesystem_broker(tmp_path):
        yield


def waiting_on(queue: str) -> list[tuple[str, int]]:
    """The tasks waiting on ``queue`` (task name, outbox row), taken off it in order."""
    tasks = []
    with (
        celery_app.connection_for_read() as connection,
        connection.SimpleQueue(celery_app.amqp.queues[queue], no_ack=True) as waiting,
    ):
        while True:
            try:
                message = waiting.get(block=False)
            except Empty:
                return tasks
            args, _kwargs, _embed = message.decode()
            tasks.append((message.headers["task"], *args))


def test_a_new_tickets_webhook_waits_on_the_webhooks_queue_not_before_the_acknowledgement(
    broker, django_capture_on_commit_callbacks
):
    subscribe("https://hooks.partner.example/helpdesk", ["ticket.created"])
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_create(
            requester_email="chidi@partner.example.org",
            subject="Cannot log in to the Flow dashboard",
            channel=Channel.WEB,
        )

    [webhook] = webhook_rows()
    acknowledgement = OutboxMessage.objects.get(ticket=ticket, kind=OutboxKind.EMAIL)
    assert waiting_on("webhooks") == [("tickets.tasks.outbox_deliver", webhook.pk)]
    assert waiting_on("email") == [("tickets.tasks.outbox_deliver", acknowledgement.pk)]
    assert waiting_on("helpdesk") == []


def test_a_webhook_the_dispatch_never_reached_is_swept_onto_the_webhooks_queue(broker):
    subscribe("https://hooks.partner.example/helpdesk", ["ticket.created"])
    ticket = services.ticket_create(  # its hand-over after commit never happens here
        requester_email="chidi@partner.example.org",
        subject="Cannot log in to the Flow dashboard",
        channel=Channel.WEB,
    )
    OutboxMessage.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=2))

    assert outbox_sweep() == 2
    [webhook] = webhook_rows()
    acknowledgement = OutboxMessage.objects.get(ticket=ticket, kind=OutboxKind.EMAIL)
    assert waiting_on("webhooks") == [("tickets.tasks.outbox_deliver", webhook.pk)]
    assert waiting_on("email") == [("tickets.tasks.outbox_deliver", acknowledgement.pk)]
