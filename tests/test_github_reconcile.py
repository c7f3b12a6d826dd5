"""Reading linked issues back with the real PyGithub client: missed closes and comments reconciled.

Every test asserts the exact requests the server received.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.github import sync
from tests import factories
from tests.desk_helpers import ticket_from
from tests.fake_github import Scripted
from tests.github_factories import (
    REPOSITORY,
    deliver,
    escalated_ticket,
    github_rows,
    local_github,
)
from tickets import escalation, services
from tickets.models import (
    EscalationIssue,
    EscalationStatus,
    IssueState,
    Message,
    OutboxStatus,
    Status,
    Ticket,
)
from tickets.outbox_kinds import OutboxKind

pytestmark = pytest.mark.django_db
ISSUES_PATH = f"/repos/{REPOSITORY}/issues"


@pytest.fixture
def github(settings):
    with local_github(settings) as fake:
        yield fake


def test_a_linked_issue_is_read_back_and_a_missed_close_and_comment_are_reconciled(github):
    agent = factories.l1_agent()
    filed = github.file_issue(REPOSITORY, "Exports time out")
    ticket = ticket_from()
    services.ticket_link_issue(ticket=ticket, by=agent, reference=f"#{filed['number']}")
    [row] = github_rows(OutboxKind.GITHUB_ISSUE_SYNC)
    assert deliver(row).outcome == "delivered"
    issue = EscalationIssue.objects.get()
    assert (issue.title, issue.state) == ("Exports time out", IssueState.OPEN)

    github.comment(REPOSITORY, 1, "Fixed in 2.3, deploying tonight.")
    github.comment(REPOSITORY, 1, "CI passed", author="ci[bot]", bot=True)
    github.comment(REPOSITORY, 1, "Me too! Buy cheap pills", author="stranger", association="NONE")
    github.close_issue(REPOSITORY, 1)
    assert sync.reconcile() == 1
    assert sync.reconcile() == 1  # a second run reads again and changes nothing

    ticket.refresh_from_db()
    assert (ticket.status, ticket.escalation_status) == (Status.OPEN, EscalationStatus.L2_RESOLVED)
    notes = Message.objects.filter(ticket=ticket, body__contains="Fixed in 2.3")
    assert notes.count() == 1
    assert not Message.objects.filter(ticket=ticket, body__contains="CI passed").exists()
    assert not Message.objects.filter(ticket=ticket, body__contains="Me too").exists()
    paths = [(r.method, r.path) for r in github.requests()]
    assert paths.count(("GET", f"{ISSUES_PATH}/1")) == 3
    assert paths.count(("GET", f"{ISSUES_PATH}/1/comments")) == 3
    assert not github.requests("POST")


def test_linking_an_issue_github_does_not_have_needs_attention(github):
    ticket = ticket_from()
    services.ticket_link_issue(ticket=ticket, by=factories.l1_agent(), reference="#404")
    [row] = github_rows(OutboxKind.GITHUB_ISSUE_SYNC)
    assert deliver(row).outcome == "failed"
    issue = EscalationIssue.objects.get()
    assert issue.needs_attention
    assert "404" in issue.error
    assert Ticket.objects.get(pk=ticket.pk).escalation_status == EscalationStatus.ESCALATED


def test_reconcile_marks_an_issue_whose_delivery_was_lost_as_needing_attention(github):
    from tickets.models import OutboxMessage

    _ticket, issue = escalated_ticket()
    OutboxMessage.objects.filter(kind="github_issue").update(
        status=OutboxStatus.FAILED,
        last_error="The worker was lost during the last delivery attempt.",
    )
    sync.reconcile()
    issue.refresh_from_db()
    assert issue.needs_attention
    assert "worker was lost" in issue.error


def _earlier(comment: dict, minutes: int = 3) -> None:
    """Date a comment on the fake a few minutes back (its webhook never came)."""
    at = (timezone.now() - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
    comment.update(created_at=at, updated_at=at)


def test_a_comment_whose_webhook_was_missed_is_reconciled_after_a_later_webhook_closed_it(github):
    ticket, _issue = escalated_ticket()
    [row] = github_rows()
    assert deliver(row).outcome == "delivered"
    _earlier(github.comment(REPOSITORY, 1, "Root cause: the export worker's memory limit."))
    github.close_issue(REPOSITORY, 1)
    # Only the close's webhook arrives, and is applied.
    escalation.issue_apply_update(
        escalation.IssueUpdate(REPOSITORY, 1, "closed", changed_at=timezone.now())
    )

    assert sync.reconcile() == 1

    notes = Message.objects.filter(ticket=ticket, body__contains="Root cause")
    assert notes.count() == 1
    assert sync.reconcile() == 1
    assert notes.count() == 1


def test_a_comment_is_still_reconciled_after_a_read_of_its_issue_failed(github):
    ticket, _issue = escalated_ticket()
    [row] = github_rows()
    assert deliver(row).outcome == "delivered"
    _earlier(github.comment(REPOSITORY, 1, "Needs a server change, on it."))
    github.then(Scripted("GET", f"{ISSUES_PATH}/1", 502, {"message": "Server Error"}))

    assert sync.reconcile() == 0  # GitHub failed this time
    assert not Message.objects.filter(ticket=ticket, body__contains="server change").exists()
    assert sync.reconcile() == 1
    assert Message.objects.filter(ticket=ticket, body__contains="server change").count() == 1


def test_linking_an_issue_with_a_long_history_copies_it_without_an_alert_per_old_comment(github):
    from tickets.models import OutboxMessage

    filed = github.file_issue(REPOSITORY, "Exports time out")
    for n in range(3):
        _earlier(github.comment(REPOSITORY, filed["number"], f"Old finding {n}"), minutes=60 - n)
    ticket = ticket_from()
    services.ticket_link_issue(ticket=ticket, by=factories.l1_agent(), reference="#1")
    [row] = github_rows(OutboxKind.GITHUB_ISSUE_SYNC)
    assert deliver(row).outcome == "delivered"

    assert Message.objects.filter(ticket=ticket, body__contains="Old finding").count() == 3
    l2_alerts = OutboxMessage.objects.filter(kind="slack_alert", payload__event="l2_update")
    assert not l2_alerts.exists()

    github.comment(REPOSITORY, 1, "Fix merged.")
    sync.reconcile()
    assert Message.objects.filter(ticket=ticket, body__contains="Fix merged.").count() == 1
    assert l2_alerts.count() == 1


def test_retrying_a_failed_escalation_that_was_filed_again_does_not_file_a_second_issue(github):
    from tickets import outbox

    agent = factories.l1_agent()
    ticket, first = escalated_ticket(agent=agent)
    [old_row] = github_rows()
    github.then(Scripted("POST", ISSUES_PATH, 422, {"message": "Validation Failed"}))
    assert deliver(old_row).outcome == "failed"
    # The agent files it again from the workspace; later an admin presses "Retry now"
    # on the old failed row as well.
    services.ticket_escalate(ticket=ticket, by=agent, technical_summary="Second try")
    outbox.outbox_retry_now(rows=[old_row])
    for row in github_rows():
        row.refresh_from_db()
        assert deliver(row).outcome == "delivered"

    assert len(github.requests("POST")) == 2  # the refused one, and the second filing
    assert len(github.issues(REPOSITORY)) == 1
    first.refresh_from_db()
    assert first.number is None


def test_linking_again_to_an_issue_that_could_not_be_read_reads_it_again(github):
    ticket = ticket_from()
    agent = factories.l1_agent()
    github.then(Scripted("GET", f"{ISSUES_PATH}/1", 403, {"message": "Resource not accessible"}))
    services.ticket_link_issue(ticket=ticket, by=agent, reference="#1")
    [first] = github_rows(OutboxKind.GITHUB_ISSUE_SYNC)
    assert deliver(first).outcome == "failed"
    assert EscalationIssue.objects.get().needs_attention

    github.file_issue(REPOSITORY, "Exports time out")  # access fixed; the agent links again
    services.ticket_link_issue(ticket=ticket, by=agent, reference="#1")
    [_first, again] = github_rows(OutboxKind.GITHUB_ISSUE_SYNC)
    assert deliver(again).outcome == "delivered"
    issue = EscalationIssue.objects.get()
    assert (issue.state, issue.title) == (IssueState.OPEN, "Exports time out")
