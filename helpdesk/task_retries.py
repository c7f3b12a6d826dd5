"""How every Celery task of the project retries when the database is away for a moment.

A PostgreSQL restart or fail-over cuts the worker's connections (``InterfaceError``,
``OperationalError``) for seconds to a minute. A task that met one is published
again with a growing countdown (2, 4, 8, 16, 32 s, with jitter) instead of being
lost; Celery's Django fixup closes the broken connection before the next run, and
Django opens a new one. The bound keeps a database that stays down from turning
into a loop: after the last retry the task fails (logged), and what it was for is
still in the database: the outbox sweeper hands pending rows over again, and beat
runs the periodic tasks again at their next tick.

Only these errors are retried here. Delivery errors are the outbox's own business
(tickets.outbox: attempts, backoff, ``failed`` with the reason), so a provider
failure never makes a task retry on top of the row's own schedule.
"""

from __future__ import annotations

from typing import Any

from django.db import InterfaceError, OperationalError

DATABASE_ERRORS = (OperationalError, InterfaceError)

RETRY_ON_DATABASE_ERRORS: dict[str, Any] = {
    "autoretry_for": DATABASE_ERRORS,
    "retry_backoff": 2,  # seconds, doubled at each retry
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 5,
}
