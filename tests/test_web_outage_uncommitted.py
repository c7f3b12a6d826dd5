"""No external side effect is ever sent for a ticket that was not committed.

Side effects are outbox rows written in the ticket's own transaction, handed to
the broker only after it commits (``transaction.on_commit``): a transaction that
rolls back takes its rows with it, and nothing reaches the broker. These tests
commit for real (``transaction=True``) and listen to every task Celery publishes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from celery.signals import before_task_publish
from django.core import mail
from django.db import transaction
from django.test import Client

from tests.portal_helpers import contact_data, send_contact_form
from tickets import services
from tickets.models import Channel, OutboxMessage, Ticket

pytestmark = pytest.mark.django_db(transaction=True)


class DiskFull(Exception):
    """Something that fails after the ticket's side effects were written."""


@pytest.fixture
def published() -> Iterator[list[Any]]:
    """The ids of every outbox row handed to the broker (any task, any broker)."""
    sent: list[Any] = []

    def record(sender: str, body: Any, **_: Any) -> None:
        sent.append((sender, body[0] if isinstance(body, tuple | list) else body))

    before_task_publish.connect(record, weak=False, dispatch_uid="test-web-outage-published")
    yield sent
    before_task_publish.disconnect(dispatch_uid="test-web-outage-published")


@pytest.fixture
def fails_after_the_email_was_written() -> Iterator[None]:
    """The urgent alert check, which runs after the acknowledgement's outbox row, fails."""
    with mock.patch("tickets.services.create.alerts.alert_if_urgent", side_effect=DiskFull):
        yield


def log_a_ticket() -> Ticket:
    return services.ticket_create(
        requester_email="amara@partner.example.org",
        subject="Dashboard down for the whole team",
        channel=Channel.EMAIL,
    )


def test_a_committed_ticket_hands_its_acknowledgement_to_the_broker(published):
    ticket = log_a_ticket()  # the control: the listener does see a hand-over

    rows = list(OutboxMessage.objects.filter(ticket=ticket).values_list("pk", flat=True))
    assert rows
    assert [body for _, body in published] == [(row,) for row in rows]


def test_a_ticket_rolled_back_after_its_outbox_row_was_written_sends_nothing(
    published, fails_after_the_email_was_written
):
    with pytest.raises(DiskFull):
        log_a_ticket()

    assert not Ticket.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert published == []
    assert mail.outbox == []


def log_a_ticket_then_fail() -> None:
    """A larger unit of work (an import, a merge) that logs a ticket, then fails."""
    with transaction.atomic():
        log_a_ticket()
        assert OutboxMessage.objects.exists()  # written, waiting for the commit
        raise DiskFull


def test_a_ticket_inside_a_larger_transaction_that_fails_later_sends_nothing(published):
    with pytest.raises(DiskFull):
        log_a_ticket_then_fail()

    assert not Ticket.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert published == []


def test_a_contact_us_submit_that_fails_saves_nothing_and_sends_nothing(
    published, fails_after_the_email_was_written, settings
):
    settings.PORTAL_MIN_FILL_SECONDS = 0
    browser = Client(raise_request_exception=False)
    page = browser.get("/contact/").context
    data = contact_data(
        started=page["form"].initial["started"],
        submission_key=page["submission_key"],
        reviewed="1",
    )

    response = send_contact_form(browser, data)

    assert response.status_code == 500
    assert not Ticket.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert published == []
    assert mail.outbox == []
