"""Filing and reading issues with the real PyGithub client, against a local fake of GitHub.

Every test asserts the exact requests the server received.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.github import sync
from integrations.github.client import GitHubClient, rate_limit_wait
from integrations.github.handlers import issue_marker
from tests import factories
from tests.desk_helpers import logged_in, ticket_from
from tests.fake_github import TOKEN, FakeGitHub, Scripted
from tests.github_factories import REPOSITORY, deliver, escalated_ticket, github_rows
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

pytestmark = pytest.mark.django_db
ISSUES_PATH = f"/repos/{REPOSITORY}/issues"


@pytest.fixture
def github(settings):
    fake = FakeGitHub().start()
    fake.add_repo(REPOSITORY)
    settings.GITHUB_TOKEN = TOKEN
    settings.GITHUB_API_URL = fake.url
    settings.GITHUB_TIMEOUT = 1
    yield fake
    fake.stop()


def test_l1_escalation_files_one_issue_with_the_title_body_and_labels_built_for_it(github):
    ticket, issue = escalated_ticket()
    [row] = github_rows()

    assert deliver(row).outcome == "delivered"

    [post] = github.requests()
    assert (post.method, post.path) == ("POST", ISSUES_PATH)
    assert post.headers["authorization"] == f"token {TOKEN}"
    assert post.json == {
        "title": f"{ticket.reference}: Data export stops at 50%",
        "body": row.payload["body"] + "\n\n" + issue_marker(row.key),
        "labels": ["support", "bug", "hub:east-africa"],
    }
    assert "<!-- helpdesk-escalation http://127.0.0.1:8000 github_issue:" in post.json["body"]
    issue.refresh_from_db()
    assert (issue.state, issue.number) == (IssueState.OPEN, 1)
    assert issue.url == f"https://github.com/{REPOSITORY}/issues/1"
    assert Message.objects.filter(ticket=ticket, body__contains=issue.url).exists()


def test_l1_escalation_creates_one_github_issue_even_when_github_files_it_then_answers_502(github):
    _ticket, issue = escalated_ticket()
    [row] = github_rows()
    github.then(
        Scripted("POST", ISSUES_PATH, 502, {"message": "Server Error"}, after_doing_it=True)
    )

    first = deliver(row)
    assert first.outcome == "retry"
    assert "502" in first.error
    assert len(github.issues(REPOSITORY)) == 1  # GitHub did file it
    issue.refresh_from_db()
    assert issue.state == IssueState.PENDING
    assert issue.create_attempted_at is not None

    row.refresh_from_db()
    assert deliver(row).outcome == "delivered"

    assert [(r.method, r.path) for r in github.requests()] == [
        ("POST", ISSUES_PATH),
        ("GET", ISSUES_PATH),  # looked for the marker instead of filing again
    ]
    lookup = github.requests("GET")[0]
    assert lookup.query["state"] == ["all"]
    assert "since" in lookup.query
    assert len(github.issues(REPOSITORY)) == 1
    issue.refresh_from_db()
    assert (issue.state, issue.number) == (IssueState.OPEN, 1)


def test_a_timeout_is_retried_without_holding_the_worker_and_without_a_second_issue(github):
    escalated_ticket()
    [row] = github_rows()
    github.then(Scripted("POST", ISSUES_PATH, 201, {}, after_doing_it=True, delay=8))

    started = time.monotonic()
    result = deliver(row)
    assert result.outcome == "retry"
    assert "could not be reached" in result.error
    assert time.monotonic() - started < 6  # gave up at the 1 s timeout, not after the 8 s

    row.refresh_from_db()
    assert deliver(row).outcome == "delivered"
    assert [r.method for r in github.requests()] == ["POST", "GET"]
    assert len(github.issues(REPOSITORY)) == 1


def test_retry_after_is_respected_without_sleeping_or_using_an_attempt(github):
    _ticket, _issue = escalated_ticket()
    [row] = github_rows()
    github.then(
        Scripted(
            "POST", ISSUES_PATH, 403,
            {"message": "You have exceeded a secondary rate limit. Please wait a few minutes "
                        "before you try again."},
            headers={"Retry-After": "120"},
        )
    )  # fmt: skip

    started = time.monotonic()
    result = deliver(row)
    assert time.monotonic() - started < 5  # a worker that slept the 120 s would show it here

    row.refresh_from_db()
    assert result.outcome == "deferred"
    assert "rate limit" in result.error
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 0)
    wait = row.next_attempt_at - timezone.now()
    assert timedelta(seconds=110) < wait <= timedelta(seconds=120)
    assert [r.method for r in github.requests()] == ["POST"]
    assert github.issues(REPOSITORY) == []


def test_the_primary_rate_limit_waits_until_x_ratelimit_reset(github):
    escalated_ticket()
    [row] = github_rows()
    reset = int(time.time()) + 600
    github.then(
        Scripted(
            "POST", ISSUES_PATH, 403, {"message": "API rate limit exceeded for user ID 1."},
            headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
        )
    )  # fmt: skip

    assert deliver(row).outcome == "deferred"
    row.refresh_from_db()
    wait = row.next_attempt_at - timezone.now()
    assert timedelta(seconds=590) < wait <= timedelta(seconds=602)
    assert row.attempts == 0


def test_rate_limit_wait_reads_githubs_headers():
    assert rate_limit_wait({"retry-after": "30"}) == timedelta(seconds=30)
    assert rate_limit_wait(
        {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000"}, now=900
    ) == timedelta(seconds=101)
    assert rate_limit_wait({"x-ratelimit-remaining": "12"}) is None


@pytest.mark.parametrize(
    ("status", "body", "says"),
    [
        (401, {"message": "Bad credentials"}, "GitHub refused the token (401 bad credentials)"),
        (404, {"message": "Not Found"}, "check the repository name"),
        (
            422,
            {
                "message": "Validation Failed",
                "errors": [{"field": "title", "code": "missing_field"}],
            },
            "refused the issue as invalid",
        ),
    ],
)
def test_bad_credentials_unknown_repository_or_invalid_issue_fail_at_once_and_need_attention(
    github, status, body, says
):
    ticket, issue = escalated_ticket()
    [row] = github_rows()
    github.then(Scripted("POST", ISSUES_PATH, status, body))

    result = deliver(row)

    row.refresh_from_db()
    assert (result.outcome, row.status, row.attempts) == ("failed", OutboxStatus.FAILED, 1)
    assert says in row.last_error
    issue.refresh_from_db()
    assert issue.state == IssueState.FAILED
    assert says in issue.error
    agent = factories.l1_agent()
    page = logged_in(agent).get(f"/desk/tickets/{ticket.pk}/").content.decode()
    assert "Escalation pending — needs attention" in page
    assert len(github.requests()) == 1


def test_an_unknown_repository_on_the_product_is_a_clear_failure(github):
    product = factories.product("akvo-flow")
    product.github_repository = "akvo/no-such-repo"
    product.save()
    escalated_ticket()
    [row] = github_rows()
    assert deliver(row).outcome == "failed"
    row.refresh_from_db()
    assert "404" in row.last_error
    assert "repository" in row.last_error
    assert github.requests()[0].path == "/repos/akvo/no-such-repo/issues"


def test_5xx_retries_with_backoff_and_needs_attention_after_the_last_attempt(github, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    _ticket, issue = escalated_ticket()
    [row] = github_rows()
    for _ in range(2):
        github.then(Scripted("POST", ISSUES_PATH, 503, {"message": "Unavailable"}))

    assert deliver(row).outcome == "retry"
    issue.refresh_from_db()
    assert issue.state == IssueState.PENDING
    assert "503" in issue.error
    row.refresh_from_db()
    assert deliver(row).outcome == "failed"
    issue.refresh_from_db()
    assert issue.state == IssueState.FAILED
    assert "after 2 attempts" in issue.error
    # The second attempt looked for the first before filing (it found nothing).
    assert [r.method for r in github.requests()] == ["POST", "GET", "POST"]


def test_without_a_token_the_issue_waits_visibly_and_uses_no_attempt(settings):
    settings.GITHUB_TOKEN = ""
    escalated_ticket()
    [row] = github_rows()
    result = deliver(row)
    row.refresh_from_db()
    assert (result.outcome, row.status, row.attempts) == ("deferred", OutboxStatus.PENDING, 0)
    assert "GITHUB_TOKEN" in row.last_error


def test_pygithub_never_retries_on_its_own():
    client = GitHubClient(token="x", base_url="http://127.0.0.1:1", timeout=1)
    requester = client._github._Github__requester  # type: ignore[attr-defined]
    assert requester._Requester__retry is None
    assert requester._Requester__seconds_between_writes is None


def test_a_linked_issue_is_read_back_and_a_missed_close_and_comment_are_reconciled(github):
    agent = factories.l1_agent()
    filed = github.file_issue(REPOSITORY, "Exports time out")
    ticket = ticket_from()
    services.ticket_link_issue(ticket=ticket, by=agent, reference=f"#{filed['number']}")
    [row] = github_rows(escalation.GITHUB_ISSUE_SYNC_KIND)
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
    [row] = github_rows(escalation.GITHUB_ISSUE_SYNC_KIND)
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
    [row] = github_rows(escalation.GITHUB_ISSUE_SYNC_KIND)
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
    [first] = github_rows(escalation.GITHUB_ISSUE_SYNC_KIND)
    assert deliver(first).outcome == "failed"
    assert EscalationIssue.objects.get().needs_attention

    github.file_issue(REPOSITORY, "Exports time out")  # access fixed; the agent links again
    services.ticket_link_issue(ticket=ticket, by=agent, reference="#1")
    [_first, again] = github_rows(escalation.GITHUB_ISSUE_SYNC_KIND)
    assert deliver(again).outcome == "delivered"
    issue = EscalationIssue.objects.get()
    assert (issue.state, issue.title) == (IssueState.OPEN, "Exports time out")
