"""Indexes behind the agent desk's queues: one for every filter and sort the desk offers.

Kept apart from the model classes so that what each index serves is written
next to it. These B-tree indexes exist on every database. Free-text search
(``icontains``, which PostgreSQL runs as ``UPPER(col) LIKE``) is served by
trigram GIN indexes on the ticket's subject and the requester's email and name
that exist only on PostgreSQL: migration 0006 creates them with raw SQL wrapped
in :class:`helpdesk.db.PostgreSQLOnly`. They are deliberately not
in the model state: SQLite rebuilds a table from the model state on many schema
changes and would then try to create a GIN index it cannot have.

Covered elsewhere already: hub, partner, product and category filters by their
foreign-key indexes; impact, assignee and requester filters by the indexes below that
start with them (those foreign keys have no index of their own); issue tags by the through
table's (ticket, tag) unique index and its tag index (the filter is an EXISTS);
created-date ranges and the created / updated sorts by ``ticket_created`` and
``ticket_updated``; status with created and due by ``ticket_status_created`` and
``ticket_status_due``; escalation status by ``ticket_escalation``.
"""

from __future__ import annotations

from django.db import models

_OPEN = ("new", "open", "waiting", "escalated")  # OPEN_STATUSES, as plain strings

# Indexes that start with a foreign key and replace its own index (each FK is
# ``db_index=False``): a ticket's row is written to one index less on every insert and
# update. The review is in bench/README.md ("Database: the ticket table's indexes").
TICKET_KEY_INDEXES = [
    # The workspace's related tickets: the requester's newest ten, read in order
    # (also the requester filter, and Requester deletes checking PROTECT).
    models.Index(fields=["requester", "-created_at", "-id"], name="ticket_requester_created"),
    # Few tickets are merged, logged by an agent or marked urgent: partial indexes hold
    # only those rows (the merged ones of a ticket; SET_NULL when a user is deleted).
    models.Index(
        fields=["merged_into"],
        name="ticket_merged_into",
        condition=models.Q(merged_into__isnull=False),
    ),
    models.Index(
        fields=["created_by"],
        name="ticket_created_by",
        condition=models.Q(created_by__isnull=False),
    ),
    models.Index(
        fields=["urgent_by"],
        name="ticket_urgent_by",
        condition=models.Q(urgent_by__isnull=False),
    ),
]

TICKET_DESK_INDEXES = [
    # "Waiting on customer", "Escalated", "Resolved": one status, newest change first.
    models.Index(fields=["status", "-updated_at", "-id"], name="ticket_status_updated"),
    # "Mine" and the assignee filter, soonest due first (and the assignee key's index).
    models.Index(fields=["assignee", "first_response_due_at", "id"], name="ticket_assignee_due"),
    # "Unassigned": open tickets nobody holds, soonest due first (a small partial index).
    models.Index(
        fields=["first_response_due_at", "id"],
        name="ticket_unassigned_due",
        condition=models.Q(assignee__isnull=True, status__in=_OPEN),
    ),
    # "SLA at risk": open tickets still waiting for a first response, by due time.
    models.Index(
        fields=["first_response_due_at", "id"],
        name="ticket_unresponded_due",
        condition=models.Q(first_responded_at__isnull=True, status__in=_OPEN),
    ),
    # "Needs reply": open tickets where the customer spoke last, next reply due soonest.
    models.Index(
        fields=["next_response_due_at", "id"],
        name="ticket_needs_reply_due",
        condition=models.Q(customer_replied_at__isnull=False, status__in=_OPEN),
    ),
    # The "reply due" sort over any queue (tickets without a next reply due sort by age).
    models.Index(
        fields=["next_response_due_at", "id"],
        name="ticket_next_response_due",
        condition=models.Q(next_response_due_at__isnull=False),
    ),
    # The channel filter, newest first.
    models.Index(fields=["channel", "-created_at"], name="ticket_channel_created"),
    # The impact sort walks one impact at a time, oldest first within it (and the impact
    # key's index: the impact filter, Impact deletes checking PROTECT).
    models.Index(fields=["impact", "created_at", "id"], name="ticket_impact_created"),
    # The due sort over any queue.
    models.Index(fields=["first_response_due_at", "id"], name="ticket_due"),
    # Urgent tickets lead every sort (``is_urgent`` is the sort key's first part): the
    # few urgent ones are read from these small partial indexes, by due time, age or
    # last change; the others, almost every ticket, from the indexes above.
    models.Index(
        fields=["first_response_due_at", "id"],
        name="ticket_urgent_due",
        condition=models.Q(is_urgent=True),
    ),
    models.Index(
        fields=["created_at", "id"],
        name="ticket_urgent_created",
        condition=models.Q(is_urgent=True),
    ),
    models.Index(
        fields=["updated_at", "id"],
        name="ticket_urgent_updated",
        condition=models.Q(is_urgent=True),
    ),
    # "L2 updates — tell the partner": marked tickets only (a small partial index), oldest first.
    models.Index(
        fields=["l2_news_at", "id"],
        name="ticket_l2_news",
        condition=models.Q(l2_news_at__isnull=False),
    ),
]

# The managers' reports (reports.figures) read by period: when tickets were done,
# when SLA clocks started and were breached, and status changes by time.
# Resolved or closed per period (a ticket closed without being resolved counts too) is
# read from ``ticket_done_report`` (migration 0008, PostgreSQL only: the same key with
# the grouped columns included); the plain ``ticket_done`` index on that key was dropped
# as redundant there. On SQLite those reports scan the table.
TICKET_REPORT_INDEXES: list[models.Index] = []
SLA_CLOCK_REPORT_INDEXES = [
    # On PostgreSQL this index also includes (met_at, remaining, window), so the
    # first-response time's percentiles are read from it alone (migration 0017, raw SQL:
    # SQLite has no INCLUDE and Django warns about one in the model state).
    models.Index(fields=["target", "started_at"], name="sla_clock_started"),
    models.Index(fields=["target", "breached_at"], name="sla_clock_breached"),
]
TICKET_EVENT_REPORT_INDEXES = [
    models.Index(fields=["kind", "created_at"], name="event_kind_created"),
]
