"""Filing issues with the real PyGithub client against a local fake GitHub: once, whatever fails.

Every test asserts the exact requests the server received.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.github.client import GitHubClient, rate_limit_wait
from integrations.github.handlers import issue_marker
from tests import factories
from tests.desk_helpers import logged_in
from tests.fake_github import TOKEN, Scripted
from tests.github_factories import (
    REPOSITORY,
    deliver,
    escalated_ticket,
    github_rows,
    local_github,
)
from tickets.models import (
    IssueState,
    Message,
    OutboxStatus,
)

pytestmark = pytest.mark.django_db
ISSUES_PATH = f"/repos/{REPOSITORY}/issues"


@pytest.fixture
def github(settings):
    with local_github(settings) as fake:
        yield fake


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
