"""How long a rate-limited API asks us to wait: one reading of ``Retry-After`` for every adapter.

The wait is bounded (at least a second, at most an hour) so a strange header
neither hammers the API nor parks a row for days; the outbox defers the row for
that long without holding a worker.
"""

from __future__ import annotations

from datetime import timedelta

MAX_WAIT_SECONDS = 3600


def bounded_wait(seconds: int) -> timedelta:
    """``seconds`` as a wait between one second and :data:`MAX_WAIT_SECONDS`."""
    return timedelta(seconds=min(MAX_WAIT_SECONDS, max(1, seconds)))


def retry_after_wait(value: object) -> timedelta | None:
    """The wait a ``Retry-After`` header in seconds asks for; None if absent or not a number."""
    text = str(value or "").strip()
    return bounded_wait(int(text)) if text.isdigit() else None
