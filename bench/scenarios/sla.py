"""The minute-by-minute SLA check over 100,000 open tickets.

The bulk seeder writes tickets without SLA clocks, so the scenario gives
100,000 of them a running first-response clock (kept between runs). Each run
then makes a realistic minute's worth of them due, 1,000 for a warning and 200
for a breach, times ``sla_check``, and puts everything back.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from bench.scenarios import Context, scenario
from tickets import sla
from tickets.models import EventKind, OutboxMessage, SlaClock, SlaEvent, SlaTarget, TicketEvent

OPEN_CLOCKS = 100_000
TO_WARN = 1_000
TO_BREACH = 200


def ensure_open_clocks() -> None:
    have = SlaClock.objects.filter(met_at__isnull=True).count()
    if have >= OPEN_CLOCKS:
        return
    # One INSERT ... SELECT: due times spread over the coming days, none due yet.
    table = connection.ops.quote_name(SlaClock._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table}
                (ticket_id, target, "window", started_at, due_at, warn_at, updated_at)
            SELECT t.id, %s, interval '8 hours', now(),
                   now() + interval '2 days' + (t.id %% 5000) * interval '1 minute',
                   now() + interval '1 day' + (t.id %% 5000) * interval '1 minute',
                   now()
            FROM tickets_ticket t
            WHERE NOT EXISTS (SELECT 1 FROM {table} c WHERE c.ticket_id = t.id)
            ORDER BY t.id
            LIMIT %s
            """,  # noqa: S608 - table names come from the models
            [SlaTarget.FIRST_RESPONSE, OPEN_CLOCKS - have],
        )
        cursor.execute(f"ANALYZE {table}")


def make_due(rng_offset: int) -> tuple[list[int], list[int]]:
    now = timezone.now()
    ids = list(
        SlaClock.objects.filter(met_at__isnull=True, warned_at__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)[rng_offset : rng_offset + TO_WARN + TO_BREACH]
    )
    warn, breach = ids[:TO_WARN], ids[TO_WARN:]
    SlaClock.objects.filter(id__in=warn).update(warn_at=now - timedelta(seconds=30))
    SlaClock.objects.filter(id__in=breach).update(
        warn_at=now - timedelta(hours=2), due_at=now - timedelta(seconds=30)
    )
    return warn, breach


def put_back(ids: list[int], outbox_before: int, event_before: int, history_before: int) -> None:
    now = timezone.now()
    SlaClock.objects.filter(id__in=ids).update(
        warned_at=None,
        breached_at=None,
        warn_at=now + timedelta(days=1),
        due_at=now + timedelta(days=2),
    )
    OutboxMessage.objects.filter(pk__gt=outbox_before).delete()
    SlaEvent.objects.filter(pk__gt=event_before).delete()
    TicketEvent.objects.filter(pk__gt=history_before, kind=EventKind.SLA).delete()


def last_pk(model) -> int:
    row = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return row or 0


@scenario("sla_check_idle", unit="ms")
def sla_check_idle(ctx: Context) -> float:
    """The SLA check over 100,000 open clocks when nothing is due (most minutes)."""
    ensure_open_clocks()
    started = time.perf_counter()
    result = sla.sla_check()
    elapsed = (time.perf_counter() - started) * 1000
    assert result == sla.CheckResult(0, 0), result
    return elapsed


@scenario("sla_check_busy", unit="s")
def sla_check_busy(ctx: Context) -> float:
    """The SLA check over 100,000 open clocks with 1,000 warnings and 200 breaches due."""
    ensure_open_clocks()
    marks = (last_pk(OutboxMessage), last_pk(SlaEvent), last_pk(TicketEvent))
    warn, breach = make_due(ctx.rng.randrange(0, OPEN_CLOCKS - TO_WARN - TO_BREACH))
    try:
        started = time.perf_counter()
        result = sla.sla_check()
        elapsed = time.perf_counter() - started
        assert result.warned == TO_WARN + TO_BREACH, result
        assert result.breached == TO_BREACH, result
    finally:
        put_back(warn + breach, *marks)
    return elapsed
