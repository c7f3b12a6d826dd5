"""How the GitHub outbox kinds are delivered.

* ``github_issue`` (written by :func:`tickets.services.ticket_escalate`): file the
  issue. An attempt after one that may have reached GitHub first looks for the
  row's hidden marker in the repository's recent issues, so a lost answer never
  files a second issue.
* ``github_issue_sync`` (written when a ticket is linked to an unknown issue):
  read the issue and its comments back.
* ``github_webhook`` (written by the webhook view): apply one stored delivery.

Failures: a rate limit defers the row to GitHub's reset time (no attempt used),
an unavailable GitHub raises (the outbox retries with backoff), a refusal ends
the row as failed at once and marks the escalation "needs attention".
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.github import sync
from integrations.github.client import (
    LOOKBACK,
    GitHubClient,
    GitHubError,
    GitHubRateLimited,
    GitHubRejected,
    RemoteIssue,
)
from tickets import escalation
from tickets.models import EscalationIssue, EscalationLink, OutboxMessage
from tickets.outbox import OutboxDeferred, OutboxPermanentFailure
from tickets.outbox_kinds import OutboxKind, register_handler


def issue_marker(row_key: str) -> str:
    """Hidden in the issue body: which help desk and outbox row filed it."""
    return f"<!-- helpdesk-escalation {settings.SITE_URL} {row_key} -->"


def client_or_defer() -> GitHubClient:
    if not settings.GITHUB_TOKEN:
        raise OutboxDeferred(_("GitHub is not configured (set GITHUB_TOKEN); the issue waits."))
    return GitHubClient.from_settings()


def _give_up_or_retry(row: OutboxMessage, issue: EscalationIssue, error: GitHubError) -> NoReturn:
    """Turn a GitHub failure into the outbox's wait, retry or fail; the issue shows it."""
    if isinstance(error, GitHubRateLimited):
        escalation.issue_problem(issue=issue, error=str(error))
        raise OutboxDeferred(str(error), retry_in=error.retry_in) from error
    if isinstance(error, GitHubRejected):
        escalation.issue_failed(issue=issue, error=str(error))
        raise OutboxPermanentFailure(str(error)) from error
    if row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        message = _("GitHub did not answer after %(n)s attempts: %(error)s") % {
            "n": row.attempts,
            "error": error,
        }
        escalation.issue_failed(issue=issue, error=message)
    else:
        escalation.issue_problem(issue=issue, error=str(error))
    raise error


def deliver_issue(row: OutboxMessage) -> dict[str, Any]:
    issue = EscalationIssue.objects.get(pk=row.payload["issue_id"])
    if issue.number:
        return {"number": issue.number, "url": issue.url}  # filed by an earlier attempt
    if not EscalationLink.objects.filter(issue=issue).exists():
        # Its ticket was filed again or linked to another issue after this one failed:
        # an admin's "Retry now" on this old row must not file a second issue for it.
        return {"skipped": "no ticket follows this issue any more"}
    client = client_or_defer()
    marker = issue_marker(row.key)
    payload = row.payload
    try:
        remote: RemoteIssue | None = None
        if escalation.issue_sending(issue=issue):
            # An earlier attempt sent it; GitHub may have filed it and lost the answer.
            sent_at = issue.create_attempted_at or timezone.now()
            remote = client.find_issue_with_marker(
                issue.repository, marker, since=sent_at - LOOKBACK
            )
        if remote is None:
            remote = client.create_issue(
                issue.repository,
                title=payload["title"],
                body=f"{payload['body']}\n\n{marker}",
                labels=list(payload.get("labels") or []),
            )
    except GitHubError as error:
        _give_up_or_retry(row, issue, error)
    escalation.issue_filed(issue=issue, number=remote.number, url=remote.url, title=remote.title)
    return {"number": remote.number, "url": remote.url}


def deliver_issue_sync(row: OutboxMessage) -> dict[str, Any]:
    issue = EscalationIssue.objects.get(pk=row.payload["issue_id"])
    client = client_or_defer()
    try:
        remote = sync.sync_issue(client, issue)
    except GitHubError as error:
        _give_up_or_retry(row, issue, error)
    return {"number": remote.number, "state": remote.state}


def deliver_webhook(row: OutboxMessage) -> dict[str, Any]:
    return {"outcome": sync.process_delivery(int(row.payload["delivery_id"]))}


def register() -> None:
    register_handler(OutboxKind.GITHUB_ISSUE, deliver_issue)
    register_handler(OutboxKind.GITHUB_ISSUE_SYNC, deliver_issue_sync)
    register_handler(OutboxKind.GITHUB_WEBHOOK, deliver_webhook)
