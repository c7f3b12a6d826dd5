"""Every write to a ticket: one keyword-only, typed, atomic function per action.

Views, the back office, Slack, management commands, tasks and webhooks all call
these, so the rules (roles, history, workflow, notifications, optimistic
versions) hold whichever door a change comes through.

* Each public function takes the acting user as ``by`` and checks that person's
  role (:mod:`tickets.roles`), raising :class:`tickets.roles.ActionNotAllowed`;
  ``by=None`` is the help desk itself (webhooks, beat, the requester's page).
* ``expected_version`` (optional) is the ticket's version as the person loaded
  it; if the ticket moved on since, :class:`StaleTicket` and nothing is written.

Modules: ``create`` (a request from any channel), ``thread`` (messages, replies,
notes), ``triage`` (fields, tags, the triage panel), ``assign``, ``status``
(workflow and escalation status, the requester's own moves), ``merge``,
``bulk`` (queue selections, auto-close), ``escalate`` (file or link an L2 issue),
``attention`` (the urgent flag, acknowledgements), ``partners`` (a new partner
while triaging, merging duplicates), ``l2_news`` (L2's news passed on or
dismissed), ``canned`` (an agent's personal canned responses); ``attachments``,
``history`` and ``locking`` are the steps they share (``acting_via``: changes made
through an integration say so in the history). Callers use ``services.<name>``.
"""

from tickets.services.assign import ticket_assign
from tickets.services.attachments import attachment_add, attachments_store
from tickets.services.attention import ticket_acknowledge, ticket_set_urgent
from tickets.services.bulk import (
    BULK_ACTIONS,
    BULK_MAX,
    AutoCloseResult,
    BulkResult,
    tickets_auto_close,
    tickets_bulk_update,
)
from tickets.services.canned import (
    NotYourCannedResponse,
    canned_create,
    canned_delete,
    canned_update,
)
from tickets.services.create import compose_report, requester_get_or_create, ticket_create
from tickets.services.escalate import ticket_escalate, ticket_link_issue
from tickets.services.history import acting_via
from tickets.services.l2_news import ticket_dismiss_l2_news
from tickets.services.languages import requester_language_set
from tickets.services.locking import StaleTicket, TicketClosed, check_not_closed, check_version
from tickets.services.merge import ticket_merge
from tickets.services.partners import (
    partner_merge,
    partner_named,
    ticket_add_partner,
    ticket_set_partner,
)
from tickets.services.status import (
    ticket_change_escalation_status,
    ticket_change_status,
    ticket_mark_escalated,
    ticket_reopen,
    ticket_requester_mark_solved,
    ticket_requester_reopen,
)
from tickets.services.thread import (
    REPLY_THEN_STATUSES,
    canned_render,
    ticket_add_message,
    ticket_reply,
)
from tickets.services.triage import (
    CHANGEABLE_FIELDS,
    UNCHANGED,
    ticket_change_fields,
    ticket_set_issue_tags,
    ticket_triage,
)

__all__ = [
    "BULK_ACTIONS",
    "BULK_MAX",
    "CHANGEABLE_FIELDS",
    "REPLY_THEN_STATUSES",
    "UNCHANGED",
    "AutoCloseResult",
    "BulkResult",
    "NotYourCannedResponse",
    "StaleTicket",
    "TicketClosed",
    "acting_via",
    "attachment_add",
    "attachments_store",
    "canned_create",
    "canned_delete",
    "canned_render",
    "canned_update",
    "check_not_closed",
    "check_version",
    "compose_report",
    "partner_merge",
    "partner_named",
    "requester_get_or_create",
    "requester_language_set",
    "ticket_acknowledge",
    "ticket_add_message",
    "ticket_add_partner",
    "ticket_assign",
    "ticket_change_escalation_status",
    "ticket_change_fields",
    "ticket_change_status",
    "ticket_create",
    "ticket_dismiss_l2_news",
    "ticket_escalate",
    "ticket_link_issue",
    "ticket_mark_escalated",
    "ticket_merge",
    "ticket_reopen",
    "ticket_reply",
    "ticket_requester_mark_solved",
    "ticket_requester_reopen",
    "ticket_set_issue_tags",
    "ticket_set_partner",
    "ticket_set_urgent",
    "ticket_triage",
    "tickets_auto_close",
    "tickets_bulk_update",
]
