"""Progress on an escalation issue besides comments and closes: labels and linked pull requests.

A label counts as progress when it is one of ``GITHUB_PROGRESS_LABELS`` (any
case; ``-``, ``_``, ``:`` and ``/`` read as spaces; a prefix such as
``status: in progress`` allowed); adding or removing it is news. A pull request
counts when its title or body uses one of GitHub's closing keywords for the issue
(``fixes #12``, ``closes owner/name#12``, ``resolves https://github.com/owner/name/issues/12``):
opened (or edited to say so) it is "a fix is being prepared", merged "the fix is done".
Each becomes an :class:`tickets.escalation.IssueNews` with a key that names it for
good, so a repeat marks nothing.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from integrations.github.client import RemotePull
from tickets import escalation
from tickets.models import L2NewsKind

LABEL_ACTIONS = ("labeled", "unlabeled")
PULL_REQUEST_LINKING = ("opened", "reopened", "edited", "ready_for_review")
_CLOSING_RE = re.compile(
    r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b:?\s+"
    r"(?:(?P<repo>[\w.-]+/[\w.-]+)#(?P<n1>\d+)"
    r"|#(?P<n2>\d+)"
    r"|https?://github\.com/(?P<url_repo>[\w.-]+/[\w.-]+)/issues/(?P<n3>\d+))",
    re.IGNORECASE,
)


def normal_label(name: str) -> str:
    return " ".join(re.sub(r"[-_:/]+", " ", (name or "").lower()).split())


def progress_label(name: str) -> str:
    """The configured progress label ``name`` stands for, or "" when it is not one."""
    normal = normal_label(name)
    for label in (normal_label(value) for value in settings.GITHUB_PROGRESS_LABELS):
        if label and (normal == label or normal.endswith(" " + label)):
            return label
    return ""


def label_news(payload: dict[str, Any]) -> escalation.IssueNews | None:
    """A progress label added to or removed from the issue, or None for any other label."""
    name = str((payload.get("label") or {}).get("name") or "")
    label = progress_label(name)
    if not label:
        return None
    issue = payload["issue"]
    added = payload.get("action") == "labeled"
    sender = str((payload.get("sender") or {}).get("login") or "")
    stamp = str(issue.get("updated_at") or "")
    summary = (_("label “%(label)s” added") if added else _("label “%(label)s” removed")) % {
        "label": name
    }
    if sender:
        summary += f" (@{sender})"
    return escalation.IssueNews(
        repository=payload["repository"]["full_name"],
        number=int(issue["number"]),
        kind=L2NewsKind.LABEL,
        key=f"label:{'added' if added else 'removed'}:{label}:{stamp}",
        summary=summary,
        author=sender,
        url=str(issue.get("html_url") or ""),
        happened_at=parse_datetime(stamp) if stamp else None,
    )


def closing_references(text: str, repository: str) -> list[tuple[str, int]]:
    """The issues ``text`` says it closes, as (owner/name, number); ``#12`` is in ``repository``."""
    found: dict[tuple[str, int], None] = {}
    for match in _CLOSING_RE.finditer(text or ""):
        repo = match.group("repo") or match.group("url_repo") or repository
        number = match.group("n1") or match.group("n2") or match.group("n3")
        found[(repo.lower(), int(number))] = None
    return list(found)


def pull_request_news(payload: dict[str, Any]) -> list[escalation.IssueNews]:
    """What a pull request event says about the issues it closes (none for other actions)."""
    pull = payload.get("pull_request") or {}
    action = str(payload.get("action") or "")
    if action in PULL_REQUEST_LINKING:
        stage = "linked"
    elif action == "closed" and pull.get("merged"):
        stage = "merged"
    else:
        return []
    repository = str(payload["repository"]["full_name"])
    title = str(pull.get("title") or "")
    text = f"{title}\n{pull.get('body') or ''}"
    label = f"{repository}#{pull.get('number')}"
    summary = (
        _("pull request %(pr)s “%(title)s” merged")
        if stage == "merged"
        else _("pull request %(pr)s “%(title)s” linked")
    ) % {"pr": label, "title": title}
    when = pull.get("merged_at") if stage == "merged" else pull.get("created_at")
    return [
        escalation.IssueNews(
            repository=repo,
            number=number,
            kind=L2NewsKind.PULL_REQUEST,
            key=f"pr:{label.lower()}:{stage}",
            summary=summary,
            author=str((pull.get("user") or {}).get("login") or ""),
            url=str(pull.get("html_url") or ""),
            happened_at=parse_datetime(when) if isinstance(when, str) else None,
        )
        for repo, number in closing_references(text, repository)
    ]


def cross_reference_news(repository: str, number: int, pull: RemotePull) -> escalation.IssueNews:
    """A pull request the issue's timeline says mentions it, as the webhook would have told."""
    label = f"{pull.repository}#{pull.number}"
    stage = "merged" if pull.merged_at else "linked"
    summary = (
        _("pull request %(pr)s “%(title)s” merged")
        if pull.merged_at
        else _("pull request %(pr)s “%(title)s” linked")
    ) % {"pr": label, "title": pull.title}
    return escalation.IssueNews(
        repository=repository,
        number=number,
        kind=L2NewsKind.PULL_REQUEST,
        key=f"pr:{label.lower()}:{stage}",
        summary=summary,
        author=pull.author,
        url=pull.url,
        happened_at=pull.merged_at or pull.referenced_at,
    )
