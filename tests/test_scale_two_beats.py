"""Two beats started by mistake: every SLA check and every sweep runs twice, at the same time.

Production runs exactly one beat, but a second one (a copy of the compose file on
another host, a beat left running during a deploy) must not cost a customer or
the team a second message. Here two SLA checks and two sweeps run at once in
threads against PostgreSQL, each sweep hands every due row to the "broker",
and two "workers" deliver every copy they were handed, one from each end.
Counted: the SLA events per clock, the outbox rows per key, and what the mail
backend and a counting Slack received.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from bench.scaleout.fakes import SLACK_CHANNEL, SLACK_TOKEN, CountingSlack
from tests.polling import LONG_TEST_TIMEOUT
from tickets import outbox, services, sla
from tickets.models import Channel, OutboxMessage, OutboxStatus, Ticket
from tickets.models.sla import SlaClock, SlaEvent, SlaEventKind
from tickets.tasks import outbox_deliver

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), LONG_TEST_TIMEOUT]
TEAM = "team@support.example.org"


@pytest.fixture
def slack(settings) -> Iterator[CountingSlack]:
    fake = CountingSlack().start()
    settings.SLACK_API_URL = fake.url
    settings.SLACK_BOT_TOKEN = SLACK_TOKEN
    settings.SLACK_URGENT_CHANNEL = SLACK_CHANNEL
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def _team(settings):
    settings.SUPPORT_TEAM_EMAIL = TEAM


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run each call in its own thread, released together; their results, in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def two_beats_sweep_and_two_workers_deliver(monkeypatch) -> list[int]:
    """Both beats' sweeps at once; every row either of them handed over is delivered by
    both workers (one from each end of the list). Returns the copies handed over."""
    handed: list[int] = []

    def publish(args: tuple[int, ...] = (), kwargs: dict | None = None, **options: Any) -> None:
        handed.append(args[0])  # what the broker would carry to a worker

    with monkeypatch.context() as patch:
        patch.setattr(outbox_deliver, "apply_async", publish)
        at_once(outbox.outbox_sweep, outbox.outbox_sweep)
    at_once(
        lambda: [outbox.outbox_deliver_row(row_id) for row_id in handed],
        lambda: [outbox.outbox_deliver_row(row_id) for row_id in reversed(handed)],
    )
    return handed


def make_every_waiting_row_due() -> int:
    """Time passes: the waits (a Slack thread being started) and the sweep's grace are over."""
    past = timezone.now() - timedelta(minutes=5)
    return OutboxMessage.objects.filter(status=OutboxStatus.PENDING).update(next_attempt_at=past)


def new_tickets(count: int) -> list[int]:
    return [
        services.ticket_create(
            requester_email=f"requester{n}@partner.example.org",
            requester_name=f"Requester {n}",
            subject=f"Export {n} stops at 50%",
            channel=Channel.WEB,
            description="The export spins forever.",
        ).pk
        for n in range(count)
    ]


def message_ids() -> Counter[str]:
    return Counter(message.extra_headers["Message-ID"] for message in mail.outbox)


def test_two_beats_sweeping_at_once_send_each_requester_one_acknowledgement(monkeypatch):
    new_tickets(20)
    make_every_waiting_row_due()

    handed = two_beats_sweep_and_two_workers_deliver(monkeypatch)

    rows = OutboxMessage.objects.all()
    assert len(handed) >= rows.count() == 20  # both sweeps may hand over every row
    assert set(rows.values_list("status", flat=True)) == {OutboxStatus.DELIVERED}
    assert set(rows.values_list("attempts", flat=True)) == {1}
    assert len(mail.outbox) == 20
    assert set(message_ids().values()) == {1}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        f"requester{n}@partner.example.org" for n in range(20)
    )


def test_two_beats_checking_slas_at_once_warn_and_breach_each_clock_once_and_tell_the_team_once(
    monkeypatch, slack
):
    tickets = new_tickets(8)
    now = timezone.now()
    clocks = SlaClock.objects.filter(ticket_id__in=tickets)
    assert clocks.count() == 8  # first response, on each ticket
    clocks.update(warn_at=now - timedelta(seconds=1), due_at=now + timedelta(hours=4))
    at_once(sla.sla_check, sla.sla_check)
    two_beats_sweep_and_two_workers_deliver(monkeypatch)
    clocks.update(due_at=timezone.now() - timedelta(seconds=1))
    at_once(sla.sla_check, sla.sla_check)
    for _round in range(5):  # the beats keep sweeping until nothing waits
        if not make_every_waiting_row_due():
            break
        two_beats_sweep_and_two_workers_deliver(monkeypatch)

    for kind in (SlaEventKind.WARNED, SlaEventKind.BREACHED):
        per_ticket = Counter(SlaEvent.objects.filter(kind=kind).values_list("ticket_id", flat=True))
        assert per_ticket == dict.fromkeys(tickets, 1)
    rows = OutboxMessage.objects.all()
    assert set(rows.values_list("status", flat=True)) == {OutboxStatus.DELIVERED}
    notices = [m for m in mail.outbox if m.to == [TEAM]]
    assert len(notices) == 16  # a warning and a breach per ticket
    assert set(message_ids().values()) == {1}
    assert len(slack.keys) == 16
    assert set(slack.keys.values()) == {1}
    assert {key.split(":")[1] for key in slack.keys} == {"sla_warning", "sla_breach"}


def test_the_sla_check_leaves_a_ticket_an_agent_is_working_on_to_the_next_check():
    # An agent's action locks the ticket, then its clocks; the check must not lock the
    # clock first and then wait for the ticket (a deadlock PostgreSQL would break).
    worked, other = new_tickets(2)
    SlaClock.objects.filter(ticket_id__in=(worked, other)).update(
        warn_at=timezone.now() - timedelta(seconds=1)
    )
    locked, release = threading.Event(), threading.Event()

    def agent_holds_the_ticket() -> None:
        try:
            with transaction.atomic():
                Ticket.objects.select_for_update().get(pk=worked)
                locked.set()
                release.wait(timeout=60)
        finally:
            connection.close()

    agent = threading.Thread(target=agent_holds_the_ticket)
    agent.start()
    locked.wait(timeout=60)
    try:
        first = sla.sla_check()
    finally:
        release.set()
        agent.join(timeout=60)
    second = sla.sla_check()

    assert (first.warned, second.warned) == (1, 1)
    warned = SlaEvent.objects.filter(kind=SlaEventKind.WARNED).values_list("ticket_id", flat=True)
    assert sorted(warned) == sorted([worked, other])
