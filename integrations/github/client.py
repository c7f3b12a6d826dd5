"""The GitHub adapter: PyGithub behind four calls, its failures sorted into three kinds.

* :class:`GitHubRateLimited` — wait until ``Retry-After`` / ``X-RateLimit-Reset``;
  the outbox reschedules the row without using an attempt or holding a worker.
* :class:`GitHubUnavailable` — timeouts, connection errors, 5xx: retry with backoff.
* :class:`GitHubRejected` — bad credentials, no such repository or issue, a
  validation error: retrying cannot help; the message says what an admin fixes.

PyGithub's own retry is off (``retry=None``): a retried POST after a lost answer
would file a second issue. The outbox retries instead, and looks for the issue
(by a hidden marker in its body) before filing again. Its pauses between
requests are off too: a worker must not sleep.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from django.conf import settings
from github import Auth, Github, GithubException, RateLimitExceededException
from github.GithubObject import GithubObject
from github.Issue import Issue
from github.IssueComment import IssueComment

from integrations.ratelimit import bounded_wait, retry_after_wait

# Without a Retry-After or reset time, GitHub asks to wait at least a minute.
DEFAULT_RATE_LIMIT_WAIT = 60
# How far back a lost issue is looked for (clock skew between us and GitHub).
LOOKBACK = timedelta(hours=1)


class GitHubError(Exception):
    """A GitHub call that did not work; ``str()`` is a message for an admin."""


class GitHubUnavailable(GitHubError):
    """Timeout, connection error or 5xx: the same call may work later."""


class GitHubRejected(GitHubError):
    """GitHub understood and refused: retrying the same call cannot help."""


class GitHubRateLimited(GitHubError):
    def __init__(self, message: str, retry_in: timedelta) -> None:
        super().__init__(message)
        self.retry_in = retry_in


@dataclass(frozen=True)
class RemoteIssue:
    number: int
    url: str
    title: str
    state: str
    state_reason: str
    body: str
    closed_at: datetime | None
    updated_at: datetime | None


@dataclass(frozen=True)
class RemoteComment:
    id: int
    author: str
    author_is_bot: bool
    author_association: str  # OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE, …
    body: str
    url: str
    created_at: datetime | None


@dataclass(frozen=True)
class RemotePull:
    """A pull request that mentions an issue (its timeline's ``cross-referenced`` event)."""

    repository: str
    number: int
    title: str
    url: str
    author: str
    author_is_bot: bool
    author_association: str
    merged_at: datetime | None
    referenced_at: datetime | None


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _raw(obj: GithubObject) -> dict[str, Any]:
    """The JSON GitHub sent, as it came. (``raw_data`` would fetch a listed object again.)"""
    return dict(obj._rawData)


def _issue(issue: Issue) -> RemoteIssue:
    raw = _raw(issue)
    return RemoteIssue(
        number=int(raw["number"]),
        url=str(raw.get("html_url") or ""),
        title=str(raw.get("title") or ""),
        state=str(raw.get("state") or "open"),
        state_reason=str(raw.get("state_reason") or ""),
        body=str(raw.get("body") or ""),
        closed_at=_when(raw.get("closed_at")),
        updated_at=_when(raw.get("updated_at")),
    )


def _comment(comment: IssueComment) -> RemoteComment:
    raw = _raw(comment)
    user = raw.get("user") or {}
    return RemoteComment(
        id=int(raw["id"]),
        author=str(user.get("login") or ""),
        author_is_bot=user.get("type") == "Bot",
        author_association=str(raw.get("author_association") or ""),
        body=str(raw.get("body") or ""),
        url=str(raw.get("html_url") or ""),
        created_at=_when(raw.get("created_at")),
    )


def _headers(exc: GithubException) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in (exc.headers or {}).items()}


def rate_limit_wait(headers: dict[str, str], now: float | None = None) -> timedelta | None:
    """How long GitHub asks us to wait, from its headers; None if they say nothing."""
    wait = retry_after_wait(headers.get("retry-after"))
    if wait is not None:
        return wait
    if (
        headers.get("x-ratelimit-remaining") == "0"
        and headers.get("x-ratelimit-reset", "").isdigit()
    ):
        now = time.time() if now is None else now
        return bounded_wait(math.ceil(int(headers["x-ratelimit-reset"]) - now) + 1)
    return None


def _message(exc: GithubException) -> str:
    data = exc.data if isinstance(exc.data, dict) else {}
    message = str(data.get("message") or exc.message or "")
    errors = data.get("errors")
    if errors:
        message += " " + "; ".join(
            str(e.get("message") or f"{e.get('field')} {e.get('code')}")
            if isinstance(e, dict)
            else str(e)
            for e in errors
        )
    return message.strip() or f"HTTP {exc.status}"


def classify(exc: GithubException, what: str) -> GitHubError:
    """Sort one PyGithub error into wait, retry or give up, with an admin's message."""
    status, headers, said = exc.status, _headers(exc), _message(exc)
    wait = rate_limit_wait(headers)
    if status == 429 or (
        status == 403
        and (
            isinstance(exc, RateLimitExceededException)
            or wait is not None
            or "rate limit" in said.lower()
        )
    ):
        wait = wait or timedelta(seconds=DEFAULT_RATE_LIMIT_WAIT)
        return GitHubRateLimited(
            f"GitHub's rate limit was reached {what}; "
            f"trying again in {int(wait.total_seconds())} s.",
            wait,
        )
    if status >= 500:
        return GitHubUnavailable(f"GitHub answered {status} {what}: {said}")
    if status == 401:
        return GitHubRejected(
            f"GitHub refused the token (401 bad credentials) {what}: set a valid GITHUB_TOKEN."
        )
    if status == 403:
        return GitHubRejected(
            f"GitHub refused access {what} (403: {said}): give the token read and write access "
            "to the repository's issues."
        )
    if status == 404:
        return GitHubRejected(
            f"GitHub found nothing {what} (404): check the repository name (owner/name) on the "
            "product and that the token can see it."
        )
    if status == 410:
        return GitHubRejected(f"Issues are switched off {what} (410): {said}")
    if status == 422:
        return GitHubRejected(f"GitHub refused the issue as invalid {what} (422): {said}")
    return GitHubRejected(f"GitHub answered {status} {what}: {said}")


@contextlib.contextmanager
def _translated(what: str) -> Iterator[None]:
    try:
        yield
    except GithubException as exc:
        raise classify(exc, what) from exc
    except requests.RequestException as exc:
        # Timeouts and refused or dropped connections: nothing says it did not arrive.
        raise GitHubUnavailable(f"GitHub could not be reached {what}: {exc}") from exc


class GitHubClient:
    """The calls escalation needs, against GITHUB_API_URL with GITHUB_TOKEN."""

    def __init__(self, *, token: str, base_url: str, timeout: int) -> None:
        self._github = Github(
            base_url=base_url.rstrip("/"),
            auth=Auth.Token(token),
            timeout=timeout,
            retry=None,  # never re-send a POST; the outbox retries, after looking first
            seconds_between_requests=None,
            seconds_between_writes=None,
            per_page=100,
            lazy=True,  # no GET of the repository before each call
            user_agent="helpdesk-escalation",
        )

    @classmethod
    def from_settings(cls) -> GitHubClient:
        return cls(
            token=settings.GITHUB_TOKEN,
            base_url=settings.GITHUB_API_URL,
            timeout=settings.GITHUB_TIMEOUT,
        )

    def create_issue(
        self, repository: str, *, title: str, body: str, labels: list[str]
    ) -> RemoteIssue:
        with _translated(f"filing an issue in {repository}"):
            repo = self._github.get_repo(repository)
            return _issue(repo.create_issue(title=title, body=body, labels=labels))

    def find_issue_with_marker(
        self, repository: str, marker: str, *, since: datetime
    ) -> RemoteIssue | None:
        """The issue (or pull request) changed since ``since`` whose body holds ``marker``.

        Lists the repository's issues rather than searching: the search index lags
        behind, the issue list does not.
        """
        with _translated(f"looking for an issue already filed in {repository}"):
            repo = self._github.get_repo(repository)
            for issue in repo.get_issues(
                state="all", since=since, sort="created", direction="desc"
            ):
                if marker in (_raw(issue).get("body") or ""):
                    return _issue(issue)
        return None

    def get_issue(self, repository: str, number: int) -> RemoteIssue:
        with _translated(f"reading {repository}#{number}"):
            issue = self._github.get_repo(repository).get_issue(number)
            return _issue(issue.complete())  # lazy until here: this is the one GET

    def comments_since(
        self, repository: str, number: int, since: datetime | None
    ) -> list[RemoteComment]:
        with _translated(f"reading the comments of {repository}#{number}"):
            issue = self._github.get_repo(repository).get_issue(number)
            found: Any = issue.get_comments(since=since) if since else issue.get_comments()
            return [_comment(comment) for comment in found]

    def cross_referencing_pulls(self, repository: str, number: int) -> list[RemotePull]:
        """The pull requests whose text mentions the issue, from its timeline."""
        with _translated(f"reading the timeline of {repository}#{number}"):
            issue = self._github.get_repo(repository).get_issue(number)
            return [
                pull for event in issue.get_timeline() if (pull := _pull(_raw(event), repository))
            ]


def _pull(event: dict[str, Any], repository: str) -> RemotePull | None:
    source = (event.get("source") or {}).get("issue") or {}
    if event.get("event") != "cross-referenced" or not source.get("pull_request"):
        return None
    user = source.get("user") or {}
    full_name = str((source.get("repository") or {}).get("full_name") or repository)
    return RemotePull(
        repository=full_name,
        number=int(source["number"]),
        title=str(source.get("title") or ""),
        url=str(source.get("html_url") or ""),
        author=str(user.get("login") or ""),
        author_is_bot=user.get("type") == "Bot",
        author_association=str(source.get("author_association") or ""),
        merged_at=_when((source.get("pull_request") or {}).get("merged_at")),
        referenced_at=_when(event.get("created_at")),
    )
