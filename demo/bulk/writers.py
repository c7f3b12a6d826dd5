"""Writing generated bulk rows: COPY on PostgreSQL, bulk_create elsewhere.

Each row is a plain tuple in the column order below, so COPY needs no model layer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connection

from demo.bulk.generator import Rows
from demo.bulk.shape import FOLLOW_UP_IDS_PER_TICKET, Ids
from tickets.models import (
    Attachment,
    Message,
    Requester,
    SearchWord,
    SlaClock,
    Ticket,
    TicketEvent,
    TicketSearch,
)

REQUESTER_COLUMNS = ("id", "email", "name", "partner_id", "phone", "created_at")

TICKET_COLUMNS = (
    "id", "token", "subject", "description", "what_doing", "expected", "actual", "steps",
    "product_details", "environment", "channel", "requester_id", "partner_id", "hub_id",
    "product_id", "category_id", "impact_id", "status", "escalation_status", "assignee_id",
    "created_by_id", "received_at", "first_response_due_at", "first_responded_at",
    "first_response_breached_at", "resolved_at", "closed_at", "created_at", "updated_at",
)  # fmt: skip
MESSAGE_COLUMNS = ("id", "ticket_id", "kind", "body", "author_user_id", "author_requester_id",
                   "email_message_id", "created_at")  # fmt: skip
EVENT_COLUMNS = ("ticket_id", "actor_id", "actor_label", "kind", "field", "old_value",
                 "new_value", "created_at")  # fmt: skip
TAG_COLUMNS = ("ticket_id", "issuetag_id")
CLOCK_COLUMNS = ("ticket_id", "target", "window", "started_at", "due_at", "warn_at", "remaining",
                 "warned_at", "breached_at", "met_at", "updated_at")  # fmt: skip
ATTACHMENT_COLUMNS = ("message_id", "file", "original_name", "content_type", "size", "sha256",
                      "created_at")  # fmt: skip
# The order rows are written in (foreign keys are checked at commit anyway).
KINDS = ("requesters", "tickets", "messages", "events", "tags", "clocks", "attachments")


def _columns(model: type, names: Sequence[str]) -> str:
    meta = model._meta  # type: ignore[attr-defined]
    return ", ".join(connection.ops.quote_name(meta.get_field(n).column) for n in names)


class CopyWriter:
    """PostgreSQL: ids from the table's sequence, rows streamed with COPY."""

    def __init__(self) -> None:
        self.through = Ticket.issue_tags.through
        self.sql = {
            "requesters": self._copy_sql(Requester, REQUESTER_COLUMNS),
            "tickets": self._copy_sql(Ticket, TICKET_COLUMNS),
            "messages": self._copy_sql(Message, MESSAGE_COLUMNS),
            "events": self._copy_sql(TicketEvent, EVENT_COLUMNS),
            "tags": self._copy_sql(self.through, TAG_COLUMNS),
            "clocks": self._copy_sql(SlaClock, CLOCK_COLUMNS),
            "attachments": self._copy_sql(Attachment, ATTACHMENT_COLUMNS),
        }

    @staticmethod
    def _copy_sql(model: type, names: Sequence[str]) -> str:
        table = connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]
        return f"COPY {table} ({_columns(model, names)}) FROM STDIN"

    @staticmethod
    def _next(model: type, size: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, size],  # type: ignore[attr-defined]
            )
            return [row[0] for row in cursor.fetchall()]

    def reserve_ids(self, size: int) -> tuple[list[int], Ids]:
        """Ticket ids, and the requester and message ids the batch may use (unused ones
        leave gaps in the sequences, as rolled-back inserts do)."""
        messages = self._next(Message, size * (1 + FOLLOW_UP_IDS_PER_TICKET))
        return self._next(Ticket, size), Ids(
            requesters=self._next(Requester, size),
            first_messages=messages[:size],
            messages=messages[size:],
        )

    def write(self, rows: Rows) -> None:
        with connection.cursor() as cursor:
            for key in KINDS:
                batch = getattr(rows, key)
                if not batch:
                    continue
                with cursor.cursor.copy(self.sql[key]) as copy:
                    for row in batch:
                        copy.write_row(row)

    def analyze(self) -> None:
        # Fresh statistics, so the planner knows the tables grew by a million rows;
        # VACUUM also marks the new pages all-visible, as autovacuum would in time,
        # so index-only scans work at once (not possible inside a transaction).
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            # The search documents were written by the triggers on tickets and messages
            # (one set-based refresh per COPY statement, see tickets migration 0011).
            models = (
                Requester,
                Attachment,
                Ticket,
                Message,
                TicketEvent,
                self.through,
                SlaClock,
                TicketSearch,
                SearchWord,
            )
            for model in models:
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"{command} {table}")


class OrmWriter:
    """Other databases (SQLite in development and tests): bulk_create, ids assigned by it."""

    def reserve_ids(self, size: int) -> tuple[list[int], Ids]:
        # Stand-in ticket ids (negative, never stored): bulk_create assigns the real ones
        # below. Requesters and messages get explicit ids past the largest (one writer).
        def after(model: type, count: int) -> list[int]:
            if model not in self.next_id:
                manager = model._default_manager  # type: ignore[attr-defined]
                last = manager.order_by("-pk").values_list("pk", flat=True).first()
                self.next_id[model] = (last or 0) + 1
            start = self.next_id[model]
            self.next_id[model] += count
            return list(range(start, start + count))

        messages = after(Message, size * (1 + FOLLOW_UP_IDS_PER_TICKET))
        return list(range(-size, 0)), Ids(
            requesters=after(Requester, size), first_messages=messages[:size],
            messages=messages[size:],
        )  # fmt: skip

    def __init__(self) -> None:
        # The next free id per model (the next batch is reserved before the current one
        # is written, so the table's largest id is not enough).
        self.next_id: dict[type, int] = {}

    def write(self, rows: Rows) -> None:
        tickets, messages, events, tags, clocks = (
            rows.tickets, rows.messages, rows.events, rows.tags, rows.clocks
        )  # fmt: skip
        Requester.objects.bulk_create(
            [Requester(**dict(zip(REQUESTER_COLUMNS, r, strict=True))) for r in rows.requesters],
            batch_size=500,
        )
        objects = []
        for row in tickets:
            values = dict(zip(TICKET_COLUMNS, row, strict=True))
            values.pop("id")
            values["product_details"] = json.loads(values["product_details"])
            values["environment"] = json.loads(values["environment"])
            objects.append(Ticket(**values))
        Ticket.objects.bulk_create(objects, batch_size=500)
        real = {row[0]: obj.pk for row, obj in zip(tickets, objects, strict=True)}
        # bulk_create sets updated_at (auto_now) to now; put back the generated one.
        for row, obj in zip(tickets, objects, strict=True):
            obj.updated_at = row[-1]
        Ticket.objects.bulk_update(objects, ["updated_at"], batch_size=500)
        Message.objects.bulk_create(
            [
                Message(**dict(zip(MESSAGE_COLUMNS, (r[0], real[r[1]], *r[2:]), strict=True)))
                for r in messages
            ],
            batch_size=500,
        )
        Attachment.objects.bulk_create(
            [Attachment(**dict(zip(ATTACHMENT_COLUMNS, r, strict=True))) for r in rows.attachments],
            batch_size=500,
        )
        TicketEvent.objects.bulk_create(
            [
                TicketEvent(**dict(zip(EVENT_COLUMNS, (real[r[0]], *r[1:]), strict=True)))
                for r in events
            ],
            batch_size=500,
        )
        through = Ticket.issue_tags.through
        through.objects.bulk_create(
            [through(ticket_id=real[t], issuetag_id=tag) for t, tag in tags], batch_size=500
        )
        SlaClock.objects.bulk_create(
            [
                SlaClock(**dict(zip(CLOCK_COLUMNS, (real[r[0]], *r[1:]), strict=True)))
                for r in clocks
            ],
            batch_size=500,
        )

    def analyze(self) -> None:
        pass  # SQLite plans well enough without; ANALYZE there would only cost time
