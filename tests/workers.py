"""A real Celery worker in a thread of the test process that leaves no database connection open.

The worker thread opens its own connections (Django's are per thread); a test
database with a session still open cannot be dropped at the end of the run.
Celery's Django fixup closes them after each task when it is installed for the
worker; this closes them regardless, in the worker's own thread, and
``test_embedded_broker`` checks on PostgreSQL that no session is left.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from celery.worker import WorkController
from django.db import connections

from helpdesk.celery import app as celery_app

_UID = "tests.workers.close_connections"


def _close_the_workers_connections(**_: Any) -> None:
    # Tasks run in the test's own thread too (``.apply()``); its connection belongs
    # to the test's transaction and stays open.
    if threading.current_thread() is not threading.main_thread():
        connections.close_all()


@contextlib.contextmanager
def celery_worker() -> Iterator[WorkController]:
    """Start a solo-pool worker on the app's current broker; stop it and its connections after."""
    task_postrun.connect(_close_the_workers_connections, weak=False, dispatch_uid=_UID)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False) as worker:
            yield worker
    finally:
        task_postrun.disconnect(dispatch_uid=_UID)
