"""Escalation to L2: filing or linking a GitHub issue, and what comes back from it.

L1 escalates a ticket it cannot solve (server changes, a code fix) with a
technical summary (:func:`tickets.services.ticket_escalate`, or
:func:`tickets.services.ticket_link_issue` for an issue already filed); the
issue is written to the outbox as a ``github_issue`` row in the same transaction,
so the agent never waits on GitHub and a retry never files it twice. Many
partners hit the same bug, so a ticket may instead be linked to an issue already
filed; every linked ticket follows that issue.

What L2 does on the issue comes back (webhook or periodic reconcile, both in
``integrations.github``) through :func:`issue_apply_comment` and
:func:`issue_apply_update`: a comment becomes an internal note on every linked
ticket; closing the issue hands the tickets back to L1 ("L2 resolved — inform
the partner"), tells the assignee and drafts a customer-safe update for the
agent to review and send. Both are safe to call any number of times with the
same news.

``tickets`` never imports ``integrations``: this package writes outbox rows of the
kinds below and ``integrations.github`` registers their delivery.

Modules:

* ``records`` — outbox kinds, GitHub's limits; ``IssueUpdate``, ``L2Comment``.
* ``issue_text`` — the issue's title, body and labels, people and secrets redacted.
* ``redaction`` — what must never be published (emails, phones, names, device ids,
  private links, secrets), found, replaced and highlighted.
* ``publishing`` — the agent's edited preview, checked again before it is filed.
* ``filing`` — what the outbox delivery of a new issue reports back.
* ``linking`` — issue references as people paste them.
* ``updates`` — L2's comments and state changes applied to the tickets following an issue.
* ``notices`` — system notes on tickets; the email and alert to the agent.
* ``drafts`` — the customer-safe update left in the reply box.
* ``news`` — L2's news marks the ticket "L2 update — tell the partner", once per news.
* ``customer_update`` — the update for the partner drafted from that news.
* ``reads`` — lookups for the desk and the reconcile task.

Callers use ``tickets.escalation.<name>``; every public name is re-exported here.
"""

from tickets.escalation.customer_update import draft_customer_update, summarise_for_customer
from tickets.escalation.drafts import draft_to_show
from tickets.escalation.filing import (
    issue_failed,
    issue_filed,
    issue_problem,
    issue_sending,
    issues_whose_delivery_failed,
)
from tickets.escalation.issue_text import (
    ENVIRONMENT_LABELS,
    IssueDraft,
    issue_draft,
    issue_labels,
    ticket_context,
    ticket_desk_url,
)
from tickets.escalation.linking import parse_issue_reference
from tickets.escalation.news import issue_apply_news, pending_news
from tickets.escalation.publishing import PersonalDataFound, findings
from tickets.escalation.reads import (
    escalations_for,
    find_issue,
    issue_mark_synced,
    issues_to_reconcile,
    may_go_to_l2,
    repository_is_known,
    ticket_escalation,
)
from tickets.escalation.records import (
    BODY_MAX,
    EDITED_BODY_MAX,
    SUPPORT_LABEL,
    TITLE_MAX,
    IssueNews,
    IssueUpdate,
    L2Comment,
)
from tickets.escalation.updates import issue_apply_comment, issue_apply_update

__all__ = [
    "BODY_MAX",
    "EDITED_BODY_MAX",
    "ENVIRONMENT_LABELS",
    "SUPPORT_LABEL",
    "TITLE_MAX",
    "IssueDraft",
    "IssueNews",
    "IssueUpdate",
    "L2Comment",
    "PersonalDataFound",
    "draft_customer_update",
    "draft_to_show",
    "escalations_for",
    "find_issue",
    "findings",
    "issue_apply_comment",
    "issue_apply_news",
    "issue_apply_update",
    "issue_draft",
    "issue_failed",
    "issue_filed",
    "issue_labels",
    "issue_mark_synced",
    "issue_problem",
    "issue_sending",
    "issues_to_reconcile",
    "issues_whose_delivery_failed",
    "may_go_to_l2",
    "parse_issue_reference",
    "pending_news",
    "repository_is_known",
    "summarise_for_customer",
    "ticket_context",
    "ticket_desk_url",
    "ticket_escalation",
]
