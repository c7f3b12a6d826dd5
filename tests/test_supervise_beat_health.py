"""Beat's container health check: its schedule file must have been written lately.

A real ``celery beat`` writes the file at start (and every three minutes while it
sends tasks); a beat that stopped writing it for longer than ``--max-age`` fails.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.celery_process import CeleryProcess, app_environment
from tests.polling import LONG_TEST_TIMEOUT, wait_for
from tests.redis_server import own_redis_server

# Any database: beat's schedule file and its health check, on a redis-server of the
# test's own. CI runs it once, on PostgreSQL (.ci/run).
pytestmark = pytest.mark.database_agnostic


def age_files(schedule: Path, seconds: float) -> None:
    then = time.time() - seconds
    for path in schedule.parent.glob(f"{schedule.name}*"):
        os.utime(path, (then, then))


@LONG_TEST_TIMEOUT
def test_a_beat_that_just_started_passes_and_one_silent_for_too_long_fails():
    with own_redis_server() as server:
        env = app_environment(server.url())
        schedule = Path(env["HELPDESK_VAR_DIR"]) / "beat" / "celerybeat-schedule"
        schedule.parent.mkdir()
        beat = CeleryProcess(["beat", "-l", "INFO", "-s", str(schedule)], env)
        beat.start()
        try:
            beat.wait_ready("beat: Starting...")
            wait_for(lambda: list(schedule.parent.glob("celerybeat-schedule*")), "the file")
        finally:
            beat.stop()

    call_command("beat_health", schedule=str(schedule), max_age=60)

    age_files(schedule, 15 * 60)
    with pytest.raises(CommandError, match=r"beat last wrote .* ago \(more than 600 s\)"):
        call_command("beat_health", schedule=str(schedule), max_age=600)


def test_no_schedule_file_means_beat_never_ran_here(tmp_path):
    with pytest.raises(CommandError, match="beat has not started here"):
        call_command("beat_health", schedule=str(tmp_path / "celerybeat-schedule"))


def test_any_of_the_dbm_files_counts_as_the_schedule(tmp_path):
    schedule = tmp_path / "celerybeat-schedule"
    for suffix in (".bak", ".dat", ".dir"):
        Path(f"{schedule}{suffix}").write_text("x")
    age_files(schedule, 3600)
    Path(f"{schedule}.dat").touch()  # dbm.dumb rewrites its data file on each sync
    call_command("beat_health", schedule=str(schedule), max_age=60)
