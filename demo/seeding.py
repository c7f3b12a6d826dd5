"""Demo and benchmark data: staff, partners, requesters and realistic support tickets.

Two ways in, sharing one catalogue of made-up organisations and request texts:

* :func:`seed_demo` builds the small, idempotent demo a developer sees after
  ``make run``. Its tickets go through the services, so each has a real thread
  and history; the rows are then moved back in time with queryset updates, so
  the queues look like a few months of work. Nothing is queued in the outbox.
* :func:`bulk_create_tickets` adds many tickets fast for benchmarks: generated
  rows written with COPY on PostgreSQL (``bulk_create`` elsewhere), each with
  its first message and its "created" history row. No services, no outbox.

All names, organisations and addresses are invented; email addresses use the
reserved example.org / example.net domains.
"""

from demo.bulk import BulkReport, bulk_create_tickets
from demo.people import (
    AUTO_CLOSE_AFTER,
    DEFAULT_BATCH_SIZE,
    DEFAULT_DEMO_TICKETS,
    DEFAULT_SEED,
    DEMO_STAFF,
    StaffAccount,
    demo_requester_emails,
)
from demo.stories import Catalogue, DemoReport, demo_ticket_count, seed_demo

__all__ = [
    "AUTO_CLOSE_AFTER",
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_DEMO_TICKETS",
    "DEFAULT_SEED",
    "DEMO_STAFF",
    "BulkReport",
    "Catalogue",
    "DemoReport",
    "StaffAccount",
    "bulk_create_tickets",
    "demo_requester_emails",
    "demo_ticket_count",
    "seed_demo",
]
