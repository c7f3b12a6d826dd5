"""What the escalation modules share: GitHub's limits, and L2's news as data.

:class:`IssueUpdate` and :class:`L2Comment` are what ``integrations.github``
builds from a webhook or a read-back and hands to :mod:`tickets.escalation.updates`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

SUPPORT_LABEL = "support"
# GitHub's limits: a title of 256 characters, a body of 65,536.
TITLE_MAX = 256
BODY_MAX = 60_000
# An agent's edit of the previewed body may grow it a little; still well under GitHub's limit.
EDITED_BODY_MAX = BODY_MAX + 1_000


@dataclass(frozen=True)
class IssueUpdate:
    """An issue as GitHub last described it (webhook or read back)."""

    repository: str
    number: int
    state: str  # "open" or "closed"
    title: str = ""
    url: str = ""
    state_reason: str = ""
    changed_at: datetime | None = None  # when it was closed or reopened
    actor: str = ""


@dataclass(frozen=True)
class L2Comment:
    repository: str
    number: int
    comment_id: int
    author: str
    body: str
    url: str = ""
    commented_at: datetime | None = None


@dataclass(frozen=True)
class IssueNews:
    """Progress on an issue other than a comment or a close: a label, a linked pull request.

    ``key`` names this piece of news for good (the same news twice marks once);
    ``kind`` is one of :class:`tickets.models.L2NewsKind`.
    """

    repository: str
    number: int
    kind: str
    key: str
    summary: str
    author: str = ""
    url: str = ""
    happened_at: datetime | None = None
