"""What comes back from GitHub, from a webhook or read by the reconcile task.

Both paths turn GitHub's data into :class:`tickets.escalation.IssueUpdate` and
:class:`tickets.escalation.L2Comment` and hand them to the same services, which
are safe to call with the same news twice; so a webhook that was missed is
caught by the reconcile, and one that was not changes nothing the second time.
Labels and pull requests (L2 news for the partner) are read by
:mod:`integrations.github.progress`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from integrations.github import progress
from integrations.github.client import (
    GitHubClient,
    GitHubError,
    GitHubRateLimited,
    RemoteComment,
    RemoteIssue,
)
from integrations.github.models import WebhookDelivery
from tickets import escalation
from tickets.models import EscalationIssue

logger = logging.getLogger(__name__)

STATE_ACTIONS = ("closed", "reopened")
# How far before the last complete read comments are read again (our clock and GitHub's).
CLOCK_SKEW = timedelta(minutes=5)


def _when(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None


def update_from_payload(payload: dict[str, Any]) -> escalation.IssueUpdate:
    issue = payload["issue"]
    closed = issue.get("state") == "closed"
    return escalation.IssueUpdate(
        repository=payload["repository"]["full_name"],
        number=int(issue["number"]),
        state="closed" if closed else "open",
        title=str(issue.get("title") or ""),
        url=str(issue.get("html_url") or ""),
        state_reason=str(issue.get("state_reason") or ""),
        # Reopening leaves closed_at as it was; updated_at is when it happened.
        changed_at=_when(issue.get("closed_at") if closed else issue.get("updated_at")),
        actor=str((payload.get("sender") or {}).get("login") or ""),
    )


def comment_from_payload(payload: dict[str, Any]) -> escalation.L2Comment:
    comment = payload["comment"]
    return escalation.L2Comment(
        repository=payload["repository"]["full_name"],
        number=int(payload["issue"]["number"]),
        comment_id=int(comment["id"]),
        author=str((comment.get("user") or {}).get("login") or ""),
        body=str(comment.get("body") or ""),
        url=str(comment.get("html_url") or ""),
        commented_at=_when(comment.get("created_at")),
    )


def _is_bot(payload: dict[str, Any]) -> bool:
    return ((payload.get("comment") or {}).get("user") or {}).get("type") == "Bot"


def is_team_comment(author_association: str) -> bool:
    """Whether a comment comes from L2 (the repository's owners, members, collaborators).

    On a public repository anyone may comment; only the team's words become
    internal notes and alerts.
    """
    return author_association.upper() in settings.GITHUB_L2_ASSOCIATIONS


def apply_payload(event: str, payload: dict[str, Any]) -> str:
    """Apply one webhook's news; returns what was done, for the delivery's record."""
    action = str(payload.get("action") or "")
    if event == "issues" and action in STATE_ACTIONS:
        moved = escalation.issue_apply_update(update_from_payload(payload))
        return f"{action}: {len(moved)} ticket(s) moved"
    if event == "issue_comment" and action == "created":
        if _is_bot(payload):
            return "comment by a bot: ignored"
        association = str((payload.get("comment") or {}).get("author_association") or "")
        if not is_team_comment(association):
            return f"comment from outside the team ({association or 'unknown'}): ignored"
        noted = escalation.issue_apply_comment(comment_from_payload(payload))
        return f"comment: {noted} ticket(s) noted"
    if event == "issues" and action in progress.LABEL_ACTIONS:
        news = progress.label_news(payload)
        if news is not None:
            marked = escalation.issue_apply_news(news)
            return f"{action} {news.key.split(':')[2]}: {marked} ticket(s) marked"
    if event == "pull_request":
        return _apply_pull_request(action, payload)
    return f"{event}.{action}: nothing to do"


def _apply_pull_request(action: str, payload: dict[str, Any]) -> str:
    """A pull request that says it fixes a followed issue is L2 news on that issue's tickets.

    Opened by someone outside the team or by a bot it is not (anyone may open one
    on a public repository); merged it is, whoever opened it (only the team merges).
    """
    pull = payload.get("pull_request") or {}
    user = pull.get("user") or {}
    if action != "closed" and (
        user.get("type") == "Bot" or not is_team_comment(str(pull.get("author_association") or ""))
    ):
        return f"pull_request.{action}: not from the team, ignored"
    news = progress.pull_request_news(payload)
    if not news:
        return f"pull_request.{action}: nothing to do"
    marked = sum(escalation.issue_apply_news(item) for item in news)
    return f"pull_request.{action}: {marked} ticket(s) marked"


def process_delivery(delivery_id: int) -> str:
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    if delivery.processed_at is not None:
        return delivery.outcome
    outcome = apply_payload(delivery.event, delivery.payload)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        processed_at=timezone.now(), outcome=outcome[:200]
    )
    return outcome


def purge_processed_deliveries(*, older_than_days: int | None = None) -> int:
    """Processed webhook deliveries are kept as long as delivered outbox rows, then removed.

    Every issue event of a watched repository is stored (not only those about
    followed issues), so without this the table grows for ever. GitHub redelivers
    for three days at most; unprocessed deliveries are never removed.
    """
    days = older_than_days if older_than_days is not None else settings.OUTBOX_KEEP_DELIVERED_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    total = 0
    while True:
        ids = list(
            WebhookDelivery.objects.filter(
                processed_at__isnull=False, received_at__lt=cutoff
            ).values_list("pk", flat=True)[:5000]
        )
        if not ids:
            return total
        total += WebhookDelivery.objects.filter(pk__in=ids).delete()[0]


def _update_from_remote(repository: str, remote: RemoteIssue) -> escalation.IssueUpdate:
    closed = remote.state == "closed"
    return escalation.IssueUpdate(
        repository=repository,
        number=remote.number,
        state="closed" if closed else "open",
        title=remote.title,
        url=remote.url,
        state_reason=remote.state_reason,
        changed_at=remote.closed_at if closed else remote.updated_at,
    )


def _comment_from_remote(
    repository: str, number: int, comment: RemoteComment
) -> escalation.L2Comment:
    return escalation.L2Comment(
        repository=repository,
        number=number,
        comment_id=comment.id,
        author=comment.author,
        body=comment.body,
        url=comment.url,
        commented_at=comment.created_at,
    )


def sync_issue(client: GitHubClient, issue: EscalationIssue) -> RemoteIssue:
    """Read one issue and its new comments from GitHub and apply them."""
    if issue.number is None:
        raise ValueError(f"{issue} has no number yet: it was never filed.")
    started = timezone.now()
    remote = client.get_issue(issue.repository, issue.number)
    # From where the last complete read stopped (not last_synced_at, which a webhook
    # or a failed read also moves), a little earlier for clock skew: a comment read
    # twice is copied once.
    since = issue.comments_read_until
    comments = client.comments_since(
        issue.repository, issue.number, since - CLOCK_SKEW if since else None
    )
    # Comments first: a closing comment ("fixed in 2.3") reads before "L2 closed".
    for comment in sorted(comments, key=lambda c: (c.created_at or started, c.id)):
        if not comment.author_is_bot and is_team_comment(comment.author_association):
            escalation.issue_apply_comment(
                _comment_from_remote(issue.repository, issue.number, comment)
            )
    _read_linked_pulls(client, issue, issue.number)
    escalation.issue_apply_update(_update_from_remote(issue.repository, remote))
    # The start, not the end: a comment written while we read is read next time.
    EscalationIssue.objects.filter(pk=issue.pk).update(
        last_synced_at=started, comments_read_until=started
    )
    return remote


def _read_linked_pulls(client: GitHubClient, issue: EscalationIssue, number: int) -> None:
    """Pull requests that mention the issue: a missed ``pull_request`` webhook, or one from a
    repository without our webhook. Older than the desk's knowledge of the issue is history."""
    known_since = issue.created_at.replace(microsecond=0)
    for pull in client.cross_referencing_pulls(issue.repository, number):
        when = pull.merged_at or pull.referenced_at
        if when is not None and when < known_since:
            continue
        if pull.merged_at is None and (
            pull.author_is_bot or not is_team_comment(pull.author_association)
        ):
            continue  # anyone may open one on a public repository; only the team merges
        escalation.issue_apply_news(progress.cross_reference_news(issue.repository, number, pull))


def reconcile(*, client: GitHubClient | None = None, limit: int = 50) -> int:
    """Catch what missed webhooks would have brought; returns the issues read.

    Stops at a rate limit (the next run goes on); an issue that cannot be read
    is logged and skipped, so one bad issue does not stop the others.
    """
    escalation.issues_whose_delivery_failed()
    if client is None:
        if not settings.GITHUB_TOKEN:
            return 0
        client = GitHubClient.from_settings()
    read = 0
    for issue in escalation.issues_to_reconcile(limit):
        try:
            sync_issue(client, issue)
        except GitHubRateLimited:
            logger.warning("GitHub rate limit during reconcile; the next run goes on.")
            break
        except GitHubError as error:
            logger.warning("Could not reconcile %s: %s", issue.label, error)
            escalation.issue_mark_synced(issue=issue)  # try the others first next time
            continue
        read += 1
    return read
