"""Admin → Integration health says when the workers last consumed and when the outbox backs up.

The support manager opens the page after customers said "I never got the mail": it
must say at once whether the workers are taking tasks at all, and whether outbox
rows have been waiting past their time, in the manager's own time zone.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integrations.health import outbox_backlog, workers_health
from integrations.models import WorkerHeartbeat
from tests import factories
from tickets.models import OutboxMessage, OutboxStatus, StaffProfile

pytestmark = pytest.mark.django_db

HEALTH = "/admin/integrations/health/"


def manager_client(zone: str = "Africa/Nairobi") -> Client:
    manager = factories.support_manager()
    StaffProfile.objects.update_or_create(user=manager, defaults={"time_zone": zone})
    client = Client()
    client.force_login(manager)
    return client


def outbox_rows(n: int, *, status: str = OutboxStatus.PENDING, **fields) -> None:
    start = OutboxMessage.objects.count()
    OutboxMessage.objects.bulk_create(
        OutboxMessage(kind="slack_alert", key=f"row:{start + i}", status=status, **fields)
        for i in range(n)
    )


def heartbeat(hostname: str, *, consumed_ago: timedelta | None, queues: str = "") -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        hostname=hostname,
        queues=queues,
        started_at=now - timedelta(hours=2),
        consumed_at=now - consumed_ago if consumed_ago is not None else None,
    )


def page(client: Client) -> str:
    response = client.get(HEALTH)
    assert response.status_code == 200
    return response.content.decode()


def test_with_no_worker_ever_heard_from_the_page_warns_that_nothing_is_consumed():
    html = page(manager_client())
    assert 'id="workers-silent"' in html
    assert "No worker has consumed a task in the last day" in html
    assert "No worker has reported in the last day." in html
    assert 'id="outbox-backlog"' not in html


def test_a_worker_that_consumed_a_minute_ago_is_listed_in_the_readers_zone_without_warning():
    heartbeat("celery@web-1", consumed_ago=timedelta(minutes=1), queues="email,helpdesk,sla")
    html = page(manager_client("Africa/Nairobi"))
    assert 'id="worker-warnings"' not in html
    assert "celery@web-1" in html
    assert "email,helpdesk,sla" in html
    consumed = WorkerHeartbeat.objects.get().consumed_at.astimezone(
        timezone.get_fixed_timezone(3 * 60)
    )
    assert f"{consumed:%H:%M} EAT" in html  # Nairobi time, the zone named
    assert "Times are in EAT (Africa/Nairobi)." in html


def test_workers_silent_for_twenty_minutes_raise_the_warning():
    heartbeat("celery@a", consumed_ago=timedelta(minutes=20))
    heartbeat("celery@b", consumed_ago=None)  # started, never consumed
    html = page(manager_client())
    assert 'id="workers-silent"' in html
    assert "No worker has consumed a task for 20\xa0minutes" in html
    assert html.index("celery@a") < html.index("celery@b")  # the last to consume first


def test_rows_due_for_longer_than_the_bound_are_a_backlog_and_the_rest_are_not(settings):
    settings.OUTBOX_BACKLOG_MINUTES = 10
    now = timezone.now()
    heartbeat("celery@a", consumed_ago=timedelta(seconds=10))
    outbox_rows(3, next_attempt_at=now - timedelta(minutes=30))  # nobody took them
    outbox_rows(2, next_attempt_at=now - timedelta(minutes=2))  # the next sweep's
    outbox_rows(4, next_attempt_at=now + timedelta(hours=1), created_at=now - timedelta(days=1))
    outbox_rows(1, status=OutboxStatus.SENDING, lease_expires_at=now - timedelta(minutes=45))
    outbox_rows(1, status=OutboxStatus.SENDING, lease_expires_at=now + timedelta(minutes=4))
    outbox_rows(5, status=OutboxStatus.DELIVERED, delivered_at=now - timedelta(days=2))

    count, since = outbox_backlog(timedelta(minutes=10))
    assert count == 4
    assert since is not None
    assert now - since >= timedelta(minutes=45)

    html = page(manager_client())
    assert 'id="outbox-backlog"' in html
    assert (
        "4 messages have been due for more than 10 minutes (the oldest for 45\xa0minutes)" in html
    )
    assert 'id="workers-silent"' not in html


def test_the_query_count_does_not_grow_with_workers_or_waiting_rows():
    client = manager_client()
    heartbeat("celery@a", consumed_ago=timedelta(minutes=30))
    outbox_rows(1, next_attempt_at=timezone.now() - timedelta(hours=1))
    page(client)  # the first request of a session reads a little more (the login's)
    with CaptureQueriesContext(connection) as few:
        page(client)
    for n in range(20):
        heartbeat(f"celery@more-{n}", consumed_ago=timedelta(minutes=n))
    outbox_rows(200, next_attempt_at=timezone.now() - timedelta(hours=1))
    with CaptureQueriesContext(connection) as many:
        html = page(client)
    assert len(many) == len(few)
    assert html.count('class="worker"') == 21
    assert "201 messages have been due" in html


def test_the_backlog_is_read_through_the_outboxs_partial_indexes():
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    with CaptureQueriesContext(connection) as queries:
        outbox_backlog(timedelta(minutes=10))
    (sql,) = [q["sql"] for q in queries if "tickets_outboxmessage" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # what could serve it, at any size
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        (row,) = cursor.fetchone()
        cursor.execute("SET LOCAL enable_seqscan = on")
    plan = json.dumps(row if not isinstance(row, str) else json.loads(row))
    assert '"Seq Scan"' not in plan
    assert "outbox_due" in plan
    assert "outbox_leased" in plan


def test_two_queries_read_the_workers_and_the_backlog(django_assert_num_queries):
    with django_assert_num_queries(2):
        workers_health()
