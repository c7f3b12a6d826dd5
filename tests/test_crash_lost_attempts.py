"""What the next attempt does after a worker was lost mid-delivery, kind by kind.

A SIGKILL runs no ``except`` and no ``finally``: it is stood in for here by an
exception no handler catches (:class:`WorkerKilled`, a BaseException), raised
right after the receiver got the message, which leaves the row as a killed
worker does (sending, its lease running). The real kill, with a worker process,
is in test_crash_worker_killed.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from slack_sdk import WebClient

from integrations.email import handlers as email_handlers
from tests.fake_slack import CHANNEL, requests_to
from tests.github_factories import REPOSITORY, deliver, escalated_ticket, github_rows, local_github
from tests.test_email_delivery import new_ticket
from tickets import escalation, outbox, outbox_sweep
from tickets.models import IssueState, OutboxMessage, OutboxStatus
from tickets.outbox_handover import HandoverSuperseded, outbox_handover
from tickets.outbox_kinds import OutboxKind

pytestmark = pytest.mark.django_db
ISSUES_PATH = f"/repos/{REPOSITORY}/issues"


class WorkerKilled(BaseException):
    """The worker dies here: nothing below this point runs."""


def killed_after(target, name: str, monkeypatch) -> None:
    """The worker dies just after ``target.name`` did its work."""
    original = getattr(target, name)

    def then_die(*args, **kwargs):
        original(*args, **kwargs)
        raise WorkerKilled

    monkeypatch.setattr(target, name, then_die)


def attempt_dies(row: OutboxMessage) -> None:
    with pytest.raises(WorkerKilled):
        deliver(row)
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENDING


def lease_runs_out_and_sweeper_runs(row: OutboxMessage) -> OutboxMessage:
    OutboxMessage.objects.filter(pk=row.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    outbox_sweep._release_expired_leases(timezone.now())
    row.refresh_from_db()
    return row


def acknowledgement() -> OutboxMessage:
    return OutboxMessage.objects.get(ticket=new_ticket(), kind="email")


def test_a_mail_whose_worker_died_after_the_smtp_server_took_it_fails_with_the_reason(
    monkeypatch,
):
    row = acknowledgement()
    killed_after(EmailMultiAlternatives, "send", monkeypatch)
    attempt_dies(row)
    assert row.handover_started_at is not None

    row = lease_runs_out_and_sweeper_runs(row)

    assert row.status == OutboxStatus.FAILED
    assert "may have left" in row.last_error
    assert (row.lost_attempts, row.handover_started_at) == (1, None)
    assert len(mail.outbox) == 1
    monkeypatch.undo()
    deliver(row)
    assert len(mail.outbox) == 1  # failed rows stay failed until someone decides


def test_after_checking_with_the_recipient_retry_now_sends_the_mail_again(monkeypatch):
    row = acknowledgement()
    killed_after(EmailMultiAlternatives, "send", monkeypatch)
    attempt_dies(row)
    lease_runs_out_and_sweeper_runs(row)
    monkeypatch.undo()

    assert outbox.outbox_retry_now(rows=[row]) == 1
    assert deliver(row).outcome == "delivered"

    first, again = mail.outbox
    assert first.extra_headers["Message-ID"] == again.extra_headers["Message-ID"]


def test_a_mail_whose_worker_died_before_sending_is_sent_once_by_the_next_attempt(monkeypatch):
    row = acknowledgement()
    killed_after(email_handlers, "build_email", monkeypatch)
    attempt_dies(row)
    assert row.handover_started_at is None
    monkeypatch.undo()

    row = lease_runs_out_and_sweeper_runs(row)
    assert row.status == OutboxStatus.PENDING
    assert "worker was lost" in row.last_error
    assert deliver(row).outcome == "delivered"
    assert len(mail.outbox) == 1


def test_an_smtp_error_seen_by_a_live_worker_is_retried_as_before(monkeypatch):
    row = acknowledgement()

    def refused(self, *args, **kwargs):
        raise ConnectionRefusedError("the SMTP server is down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refused)
    assert deliver(row).outcome == "retry"
    row.refresh_from_db()
    assert (row.status, row.handover_started_at, row.lost_attempts) == ("pending", None, 0)


def test_an_attempt_that_lost_its_row_to_a_newer_one_does_not_send():
    row = acknowledgement()
    assert outbox._claim(row.pk, timezone.now())
    row.refresh_from_db()
    OutboxMessage.objects.filter(pk=row.pk).update(attempts=2)  # swept and claimed again

    with pytest.raises(HandoverSuperseded), outbox_handover(row):
        raise AssertionError("must not be reached")
    row.refresh_from_db()
    assert row.handover_started_at is None


def test_a_row_that_keeps_killing_its_worker_fails_after_its_last_attempt(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    row = acknowledgement()
    OutboxMessage.objects.filter(pk=row.pk).update(status=OutboxStatus.SENDING, attempts=2)

    row = lease_runs_out_and_sweeper_runs(row)

    assert row.status == OutboxStatus.FAILED
    assert "last delivery attempt" in row.last_error
    assert row.lost_attempts == 1


def test_a_worker_lost_after_github_filed_the_issue_never_files_a_second_one(settings, monkeypatch):
    def die(**kwargs):  # GitHub answered 201; the worker dies before recording it
        raise WorkerKilled

    with local_github(settings) as github:
        _ticket, issue = escalated_ticket()
        [row] = github_rows()
        monkeypatch.setattr(escalation, "issue_filed", die)
        attempt_dies(row)
        assert len(github.issues(REPOSITORY)) == 1  # filed, and nobody here knows its number
        monkeypatch.undo()

        row = lease_runs_out_and_sweeper_runs(row)
        assert deliver(row).outcome == "delivered"

        assert [(r.method, r.path) for r in github.requests()] == [
            ("POST", ISSUES_PATH),
            ("GET", ISSUES_PATH),  # looked for the marker instead of filing again
        ]
        assert len(github.issues(REPOSITORY)) == 1
    issue.refresh_from_db()
    assert (issue.state, issue.number) == (IssueState.OPEN, 1)


def test_a_private_slack_answer_whose_worker_died_while_posting_it_is_not_shown_twice(
    slack, monkeypatch
):
    with transaction.atomic():
        row = outbox.outbox_add(
            kind=OutboxKind.SLACK_EPHEMERAL,
            key="ephemeral:1",
            payload={"channel": CHANNEL, "user": "U0AGENT", "text": "Only L2 can close it."},
        )
    slack.expect_request("/chat.postEphemeral").respond_with_json({"ok": True, "message_ts": "1"})
    killed_after(WebClient, "chat_postEphemeral", monkeypatch)
    attempt_dies(row)

    row = lease_runs_out_and_sweeper_runs(row)

    assert row.status == OutboxStatus.FAILED
    assert "lost while sending" in row.last_error
    assert len(requests_to(slack, "chat.postEphemeral")) == 1
