"""Reading what the scenarios need from the seeded database (runs in the harness process).

Two staff accounts of its own (an L1 agent, a support manager) get a fresh random
password each run, so the load test logs in through the real login page without
knowing or changing anyone else's password.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.db import connection
from django.utils import timezone

from bench.loadtest.flows import Fixtures
from bench.scenarios.search import COMMON_WORD, SELECTIVE_WORD, _mark_tickets
from catalog.models import Category, Hub, Product
from tickets import roles
from tickets.models import Ticket

AGENT_USERNAME = "loadtest-agent"
MANAGER_USERNAME = "loadtest-manager"
SAMPLE = 200
HEAVY_REQUESTERS = 5
LONG_THREADS = 5


def staff_login(username: str, group: str) -> tuple[str, str]:
    password = secrets.token_urlsafe(24)
    user, _ = User.objects.get_or_create(
        username=username, defaults={"first_name": "Load", "last_name": "Test"}
    )
    user.is_staff, user.is_active = True, True
    user.set_password(password)
    user.save()
    user.groups.set([Group.objects.get(name=group)])
    return username, password


def _ids(sql: str, params: list[int]) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def worst_tickets() -> list[int]:
    """The newest ticket of each of the heaviest senders, and the longest threads."""
    table = Ticket._meta.db_table
    heavy = _ids(
        f"SELECT (SELECT id FROM {table} t WHERE t.requester_id = r.requester_id "  # noqa: S608 - table names from the models
        f"ORDER BY created_at DESC, id DESC LIMIT 1) FROM (SELECT requester_id, count(*) "
        f"FROM {table} GROUP BY requester_id ORDER BY count(*) DESC LIMIT %s) r",
        [HEAVY_REQUESTERS],
    )
    long = _ids(
        "SELECT ticket_id FROM tickets_message GROUP BY ticket_id ORDER BY count(*) DESC LIMIT %s",
        [LONG_THREADS],
    )
    return heavy + long


def read_fixtures() -> Fixtures:
    _mark_tickets()  # the selective word's dozen tickets (kept once added)
    table = Ticket._meta.db_table
    sample = _ids(f"SELECT id FROM {table} ORDER BY random() LIMIT %s", [SAMPLE])  # noqa: S608
    hub = Hub.objects.order_by("pk").first()
    product = Product.objects.get(slug="akvo-flow")
    today = timezone.localdate()
    month_start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    month_end = today.replace(day=1) - timedelta(days=1)
    assert hub is not None
    return Fixtures(
        agent=staff_login(AGENT_USERNAME, roles.L1_AGENT),
        manager=staff_login(MANAGER_USERNAME, roles.SUPPORT_MANAGER),
        random_tickets=sample,
        heavy_tickets=worst_tickets(),
        three_filters=f"hub={hub.slug}&category=bug&impact=significant",
        selective_word=SELECTIVE_WORD,
        common_word=COMMON_WORD,
        reference=[f"HD-{pk}" for pk in sample],
        contact_form={
            "name": "Load Test Requester",
            "organisation": "Load Partner",
            "hub": Hub.objects.get(slug="east-africa").pk,
            "product": product.pk,
            "category": Category.objects.get(slug="bug").pk,
            "subject": "Export stops at 50% for the household survey",
            "what_doing": "Exporting the raw data of the household survey from the dashboard.",
            "expected": "A spreadsheet with all submissions to download.",
            "actual": "The progress bar stops at 50% and after ten minutes nothing happened.",
            "steps": "1. Data > Export\n2. Household survey\n3. Export",
            "pd_dashboard": "akvoflow-load",
            "pd_imei": "356938035643809",
            "env_computer": "Firefox 140 on Windows 11",
        },
        month=(month_start.isoformat(), month_end.isoformat()),
    )


__all__ = ["read_fixtures"]
