"""Scenarios that write tickets: bulk seeding and the Contact Us path through the services.

Both leave the database as they found it: the tickets they add are deleted
after the measurement, so repeated runs keep the seeded scale.
"""

from __future__ import annotations

import time

from django.db import connection, transaction
from django.db.models import Max

from bench.scenarios import Context, scenario
from demo import seeding
from tickets import services
from tickets.models import (
    Attachment,
    Message,
    OutboxMessage,
    Requester,
    SlaClock,
    SlaEvent,
    Ticket,
    TicketEvent,
    TicketSearch,
)

SEED_BULK_TICKETS = 20_000
TICKET_CREATE_TICKETS = 200


def last_ticket_id() -> int:
    return Ticket.objects.aggregate(last=Max("pk"))["last"] or 0


def delete_tickets_after(last_id: int) -> None:
    """Remove what a scenario added, then vacuum, so every run starts from the same state.

    Plain SQL: the ORM's cascade walk is slow at 20,000 tickets. Without the
    vacuum each run would leave its rows behind as dead tuples, and the
    database (and the next run's figures) would drift.
    """
    quote = connection.ops.quote_name
    tables = [
        quote(model._meta.db_table)
        for model in (
            OutboxMessage,
            SlaEvent,
            SlaClock,
            Ticket.issue_tags.through,
            TicketEvent,
            Message,
            # Deleting the messages rewrote these tickets' search documents (the
            # triggers of tickets migration 0011); deleting the tickets removes them too.
            TicketSearch,
            Ticket,
        )
    ]
    attachments, messages = quote(Attachment._meta.db_table), quote(Message._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        # Bulk tickets carry a few attachments (rows only); their messages go below.
        cursor.execute(
            f"DELETE FROM {attachments} WHERE message_id IN "  # noqa: S608 - model table names
            f"(SELECT id FROM {messages} WHERE ticket_id > %s)",
            [last_id],
        )
        for table in tables[:-1]:
            # Table names come from the models, not from input.
            cursor.execute(f"DELETE FROM {table} WHERE ticket_id > %s", [last_id])  # noqa: S608
        cursor.execute(f"DELETE FROM {tables[-1]} WHERE id > %s", [last_id])  # noqa: S608
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {', '.join(tables)}")


@scenario("seed_bulk", unit="tickets/s")
def seed_bulk(ctx: Context) -> float:
    """Bulk seeding (seed_demo --tickets): 20,000 tickets with message, event and tags."""
    before = last_ticket_id()
    requesters_before = Requester.objects.aggregate(last=Max("pk"))["last"] or 0
    try:
        # Committed batch by batch, as the command does: the foreign-key checks
        # PostgreSQL defers to each commit are part of the cost.
        report = seeding.bulk_create_tickets(
            count=SEED_BULK_TICKETS, seed=ctx.rng.randrange(2**31), analyze=False
        )
    finally:
        delete_tickets_after(before)
        # The newcomers the generator wrote for those tickets.
        Requester.objects.filter(pk__gt=requesters_before, tickets__isnull=True).delete()
    return report.rate


@scenario("ticket_create", unit="tickets/s")
def ticket_create(ctx: Context) -> float:
    """Contact Us requests through services.ticket_create, acknowledgement in the outbox."""
    catalogue = seeding.Catalogue.load()
    requesters = list(Requester.objects.filter(email__in=seeding.demo_requester_emails()))
    # The form's input is prepared outside the timing; the service call is what counts.
    requests = [
        catalogue.contact_us_request(ctx.rng, requesters) for _ in range(TICKET_CREATE_TICKETS)
    ]
    before = last_ticket_id()
    outbox_before = OutboxMessage.objects.count()
    try:
        started = time.perf_counter()
        for request in requests:
            services.ticket_create(**request)
        seconds = time.perf_counter() - started
        written = OutboxMessage.objects.count() - outbox_before
        assert written == TICKET_CREATE_TICKETS, f"expected one outbox row per ticket: {written}"
    finally:
        delete_tickets_after(before)
    return TICKET_CREATE_TICKETS / seconds
