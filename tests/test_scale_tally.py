"""The rehearsal's verdict: how the database and the fakes' receipts are counted against each other.

The rehearsal is only as good as its count, so the rules are checked on rows
and receipts made by hand: a second receipt is a duplicate, a delivered row no
fake received is lost, and a mail sent again after its worker was lost (same
Message-ID, a second attempt) is counted apart.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.scaleout.fakes import CountingGitHub, CountingSlack, CountingSmtp
from bench.scaleout.tally import Counts, count_deliveries, mail_digest
from tickets.models import OutboxMessage, OutboxStatus

pytestmark = pytest.mark.django_db


class Fakes:
    def __init__(self) -> None:
        self.slack, self.smtp, self.github = CountingSlack(), CountingSmtp(), CountingGitHub()

    def count(self) -> Counts:
        counts = Counts()
        count_deliveries(counts, self.slack, self.smtp, self.github)
        return counts


@pytest.fixture
def fakes() -> Iterator[Fakes]:
    made = Fakes()  # never started: their counters are filled by hand
    yield made
    made.slack.server.server_close()
    made.github.fake.server.server_close()


def delivered(key: str, kind: str = "email", attempts: int = 1) -> OutboxMessage:
    return OutboxMessage.objects.create(
        key=key, kind=kind, status=OutboxStatus.DELIVERED, attempts=attempts
    )


def test_each_row_received_once_is_neither_lost_nor_duplicated(fakes):
    delivered("email:ack:1")
    delivered("slack_alert:new_urgent:1", kind="slack_alert")
    fakes.smtp.inbox.digests[mail_digest("email:ack:1")] += 1
    fakes.slack.keys["slack_alert:new_urgent:1"] += 1

    counts = fakes.count()

    assert (counts.duplicates, counts.lost, counts.mail_resent, counts.unexpected) == (0, 0, 0, 0)
    assert counts.ok


def test_a_slack_alert_posted_twice_is_a_duplicate(fakes):
    delivered("slack_alert:sla_breach:7:2026", kind="slack_alert", attempts=2)
    fakes.slack.keys["slack_alert:sla_breach:7:2026"] += 2

    counts = fakes.count()

    assert (counts.duplicates, counts.sla_duplicates) == (1, 1)
    assert not counts.ok


def test_a_mail_sent_again_by_the_attempt_after_a_lost_worker_is_counted_apart(fakes):
    delivered("email:ack:2", attempts=2)
    delivered("email:ack:3", attempts=1)
    fakes.smtp.inbox.digests[mail_digest("email:ack:2")] += 2
    fakes.smtp.inbox.digests[mail_digest("email:ack:3")] += 2  # one claim, two mails

    counts = fakes.count()

    assert counts.mail_resent == 1
    assert counts.duplicates == 1
    assert counts.problems == [f"email {mail_digest('email:ack:3')}: received 2 times"]


def test_a_row_delivered_that_no_fake_received_or_still_pending_is_lost(fakes):
    delivered("email:ack:4")
    OutboxMessage.objects.create(key="email:ack:5", kind="email", status=OutboxStatus.PENDING)
    fakes.smtp.inbox.digests[mail_digest("email:somebody-else")] += 1

    counts = fakes.count()

    assert counts.lost == 2
    assert counts.unexpected == 1
    assert not counts.ok


@pytest.mark.skipif(
    "lost_attempts" not in {f.name for f in OutboxMessage._meta.get_fields()},
    reason="the outbox does not record attempts lost with their worker on this branch",
)
def test_a_mail_failed_with_the_reason_after_its_worker_was_lost_is_shown_not_lost(fakes):
    OutboxMessage.objects.create(
        key="email:ack:6", kind="email", status=OutboxStatus.FAILED, attempts=1, lost_attempts=1
    )
    fakes.smtp.inbox.digests[mail_digest("email:ack:6")] += 1  # it had left, as it happens

    counts = fakes.count()

    assert (counts.failed_after_lost_worker, counts.failed_but_received) == (1, 1)
    assert (counts.lost, counts.unexpected, counts.duplicates) == (0, 0, 0)
