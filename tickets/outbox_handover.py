"""Marking the moment a delivery hands its message to a receiver that cannot be asked later.

Slack and GitHub can be asked whether an earlier attempt's message arrived (the
row's key is in the message); an SMTP server cannot. A handler for such a
receiver wraps the hand-over in :func:`outbox_handover`: the mark is committed
before the first byte leaves, so if the worker is lost during the hand-over (or
after it, before the row is marked delivered) the sweeper fails the row with the
reason instead of sending it a second time. A hand-over that raises was seen to
fail by a live worker: the mark is cleared and the outbox retries as usual (with
the same Message-ID, as before).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.utils import timezone

from tickets.models import OutboxMessage, OutboxStatus


class HandoverSuperseded(RuntimeError):
    """This attempt's lease ran out and a newer attempt owns the row: it must not send."""


@contextlib.contextmanager
def outbox_handover(row: OutboxMessage) -> Iterator[None]:
    mine = OutboxMessage.objects.filter(
        pk=row.pk, status=OutboxStatus.SENDING, attempts=row.attempts
    )
    # Committed at once (a delivery runs outside any transaction), so a worker
    # killed in the next instant leaves the mark behind for the sweeper.
    if not mine.update(handover_started_at=timezone.now()):
        raise HandoverSuperseded(
            f"Outbox row {row.pk}: attempt {row.attempts} lost its lease before sending."
        )
    try:
        yield
    except Exception:
        mine.update(handover_started_at=None)
        raise
    # Not on SystemExit or KeyboardInterrupt: the process is going away mid-send, the
    # outcome is as unknown as after a SIGKILL, so the mark stays for the sweeper.
    # On success the mark stays: the row is marked delivered next, and if the worker
    # dies before that, the message did leave, so it must not be sent again.
