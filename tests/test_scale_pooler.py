"""PostgreSQL behind PgBouncer in transaction mode: nothing may outlive a transaction.

An operator who puts PgBouncer (``pool_mode = transaction``) in front of
PostgreSQL sets ``DATABASE_POOLER=transaction``; the settings then turn off what
keeps state on one server connection between transactions (server-side cursors,
prepared statements). The settings are read in a fresh interpreter, as each
process reads them at start.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.db import connection

# Any database: the settings are read in a fresh interpreter for a PostgreSQL URL of the
# test's own (the one test on the run's database needs PostgreSQL anyway). CI runs it
# once, on PostgreSQL (.ci/run).
pytestmark = pytest.mark.database_agnostic

CHECKOUT = Path(__file__).resolve().parent.parent
PRINT_DATABASE = (
    "import json, helpdesk.settings as s; d = s.DATABASES['default']; "
    "print(json.dumps({'cursors_off': d.get('DISABLE_SERVER_SIDE_CURSORS', False), "
    "'options': d.get('OPTIONS', {}), 'max_age': d.get('CONN_MAX_AGE')}, default=str))"
)


def database_settings(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(SECRET_KEY="x" * 50, HELPDESK_VAR_DIR=str(tmp_path), **variables)
    return subprocess.run(  # noqa: S603 - our own interpreter and settings module
        [sys.executable, "-c", PRINT_DATABASE],
        cwd=CHECKOUT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


POSTGRES = "postgres://helpdesk@db.internal:6432/helpdesk"


def test_behind_pgbouncer_in_transaction_mode_no_cursor_or_prepared_statement_is_kept(
    tmp_path,
):
    result = database_settings(tmp_path, DATABASE_URL=POSTGRES, DATABASE_POOLER="transaction")

    assert result.returncode == 0, result.stderr
    database = json.loads(result.stdout)
    assert database["cursors_off"] is True
    assert database["options"]["prepare_threshold"] is None
    assert database["max_age"] == 60  # connections to PgBouncer itself are still kept


def test_without_a_pooler_server_side_cursors_stay_on(tmp_path):
    result = database_settings(tmp_path, DATABASE_URL=POSTGRES)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["cursors_off"] is False


def test_a_misspelt_pooler_mode_stops_the_process_with_the_accepted_values(tmp_path):
    result = database_settings(tmp_path, DATABASE_URL=POSTGRES, DATABASE_POOLER="transactions")

    assert result.returncode != 0
    assert "DATABASE_POOLER='transactions'" in result.stderr
    assert "'transaction'" in result.stderr


def _open_cursors() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_cursors")
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db
def test_iterating_in_batches_declares_no_server_cursor_once_the_pooler_setting_is_on():
    """What ``manage.py kb_refresh_html`` does (``.iterator()``), with and without the setting."""
    rows = Permission.objects.order_by("pk").values_list("pk", flat=True)[:3]
    by_default = [_open_cursors() for _pk in rows.iterator(chunk_size=1)]

    saved = connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS", False)
    connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = True
    try:
        behind_the_pooler = [_open_cursors() for _pk in rows.iterator(chunk_size=1)]
    finally:
        connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = saved

    assert by_default == [1, 1, 1]  # a DECLAREd cursor, which PgBouncer could not follow
    assert behind_the_pooler == [0, 0, 0]
