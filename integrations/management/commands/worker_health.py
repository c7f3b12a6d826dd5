"""Is this Celery worker consuming? Exit 0 if it ran a ping within the timeout, else 1.

The container health check of the worker (docker-compose.yml) runs it in the worker's
own container:

    python manage.py worker_health --hostname celery@$HOSTNAME --timeout 20

It sends :func:`integrations.tasks.worker_ping` with a fresh token to that worker's
own queue and waits until the worker has written the token to its heartbeat row.
That proves the whole path, broker included: a worker that is alive but no longer
receives tasks (or a broker that is hung) fails it. ``celery inspect ping`` would
not: it is answered by the worker's broadcast consumer, not its task consumer.
"""

from __future__ import annotations

import socket
import time
import uuid
from typing import Any

from celery.utils.nodenames import worker_direct
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from integrations.models import WorkerHeartbeat
from integrations.tasks import worker_ping


def ping_worker(hostname: str, *, timeout: float) -> float:
    """Seconds until ``hostname`` ran a ping; CommandError if it did not within ``timeout``."""
    token = uuid.uuid4().hex
    started = time.monotonic()
    try:
        # retry=False: a broker that does not take the ping at once is the answer.
        worker_ping.apply_async(
            (token,), queue=worker_direct(hostname), expires=timeout, retry=False
        )
    except Exception as exc:  # kombu/redis raise many kinds; all mean "not reachable"
        raise CommandError(f"{hostname}: could not hand the ping to the broker: {exc!r}") from exc
    heartbeat = WorkerHeartbeat.objects.filter(hostname=hostname, ping=token)
    while time.monotonic() - started < timeout:
        try:
            if heartbeat.exists():
                return time.monotonic() - started
        except DatabaseError as exc:  # the worker cannot record it either
            raise CommandError(f"{hostname}: the database does not answer: {exc}") from exc
        time.sleep(0.2)
    raise CommandError(f"{hostname} did not consume a ping within {timeout:g} s")


class Command(BaseCommand):
    help = "Check that a Celery worker consumes tasks: send it a ping and wait for it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--hostname",
            default=f"celery@{socket.gethostname()}",
            help="the worker's node name (default: celery@ this machine's name, as Celery's)",
        )
        parser.add_argument("--timeout", type=float, default=20.0, help="seconds (default 20)")

    def handle(self, *args: Any, **options: Any) -> None:
        hostname = options["hostname"]
        took = ping_worker(hostname, timeout=options["timeout"])
        self.stdout.write(f"{hostname} consumed a ping in {took:.1f} s")
