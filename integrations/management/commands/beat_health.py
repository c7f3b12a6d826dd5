"""Is Celery beat ticking? Exit 0 if its schedule file was written lately, else 1.

The container health check of beat (docker-compose.yml):

    python manage.py beat_health --schedule /app/var/beat/celerybeat-schedule --max-age 600

Beat writes its schedule file (a ``shelve``: one file, or ``.dat``/``.dir``/``.bak``
beside the name, by Python's dbm) when it starts and, while it sends tasks, every
three minutes (``celery.beat.PersistentScheduler.sync_every``). A beat process that
is alive but stuck, or that sends nothing, leaves it unchanged; ten minutes is well
past the longest normal gap.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def schedule_age(schedule: Path) -> float:
    """Seconds since beat last wrote the schedule file (any of dbm's files for it)."""
    files = [path for path in schedule.parent.glob(f"{schedule.name}*") if path.is_file()]
    if not files:
        raise CommandError(f"no schedule file {schedule}: beat has not started here")
    return time.time() - max(path.stat().st_mtime for path in files)


class Command(BaseCommand):
    help = "Check that Celery beat keeps writing its schedule file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule",
            default=settings.CELERY_BEAT_SCHEDULE_FILENAME,
            help="beat's -s file (default: CELERY_BEAT_SCHEDULE_FILENAME)",
        )
        parser.add_argument("--max-age", type=float, default=600.0, help="seconds (default 600)")

    def handle(self, *args: Any, **options: Any) -> None:
        schedule = Path(options["schedule"])
        age = schedule_age(schedule)
        if age > options["max_age"]:
            raise CommandError(
                f"beat last wrote {schedule} {age:.0f} s ago (more than {options['max_age']:g} s)"
            )
        self.stdout.write(f"beat wrote {schedule} {age:.0f} s ago")
