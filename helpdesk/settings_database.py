"""The database behind a connection pooler (``DATABASE_POOLER``), kept beside settings.py.

Behind PgBouncer in transaction mode, consecutive transactions of one Django
connection may run on different server connections, so nothing may outlive a
transaction on the server. README "Scaling out" lists what was audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

POOLER_MODES = ("", "session", "transaction")


def behind_pooler(database: dict[str, Any], pooler: str) -> dict[str, Any]:
    """``database`` (a DATABASES entry) made safe for ``pooler``'s mode; changed in place."""
    if pooler not in POOLER_MODES:
        raise ImproperlyConfigured(
            f"DATABASE_POOLER={pooler!r}: use 'transaction' (PgBouncer's "
            "pool_mode=transaction), 'session', or leave it empty (no pooler)."
        )
    if pooler == "transaction":
        # QuerySet.iterator() would DECLARE a cursor that lives past its transaction.
        database["DISABLE_SERVER_SIDE_CURSORS"] = True
        # Django's default already, made explicit: a statement prepared on one server
        # connection does not exist on the next one.
        database.setdefault("OPTIONS", {})["prepare_threshold"] = None
    return database
