"""SLA policies, hub closures and the catalog are read once per process, and again after a change.

The version each process keeps its copy under lives in the shared cache (Redis in
production): a change saved in the admin of one process is seen by the next
ticket of every other one.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import HubClosure
from portal.forms import ContactForm
from tests import factories
from tests.portal_helpers import contact_data
from tickets import services
from tickets.models import Channel, SlaPolicy
from tickets.sla.memo import sla_memo

pytestmark = pytest.mark.django_db

NAIROBI = ZoneInfo("Africa/Nairobi")
FRIDAY_AFTERNOON = datetime(2026, 11, 20, 16, 0, tzinfo=NAIROBI)


def due_of_a_new_ticket(n: int = 0) -> datetime:
    """The first-response due time of a request from an East Africa partner, Friday 16:00."""
    ticket = services.ticket_create(
        requester_email=f"wanjiku{n}@partner.example.org",
        subject="Dashboard export fails",
        channel=Channel.WEB,
        hub=factories.hub("east-africa"),
        received_at=FRIDAY_AFTERNOON,
    )
    assert ticket.first_response_due_at is not None
    return ticket.first_response_due_at.astimezone(NAIROBI)


def settings_queries(run) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        run()
    return [
        q["sql"]
        for q in queries.captured_queries
        if "tickets_slapolicy" in q["sql"] or "tickets_hubclosure" in q["sql"]
    ]


def default_policy() -> SlaPolicy:
    return SlaPolicy.objects.get(impact__isnull=True, urgent=False)


def test_a_second_ticket_reads_no_policy_and_no_closures():
    assert settings_queries(lambda: due_of_a_new_ticket(1))
    assert settings_queries(lambda: due_of_a_new_ticket(2)) == []


def test_a_policy_changed_in_the_admin_applies_to_the_next_ticket():
    assert due_of_a_new_ticket(1) == datetime(2026, 11, 23, 16, 0, tzinfo=NAIROBI)
    policy = default_policy()
    policy.first_response_days = Decimal("2")
    policy.save()
    assert due_of_a_new_ticket(2) == datetime(2026, 11, 24, 16, 0, tzinfo=NAIROBI)


def test_a_closure_added_or_removed_applies_to_the_next_ticket():
    due_of_a_new_ticket(1)
    closure = HubClosure.objects.create(hub=factories.hub("east-africa"), date=date(2026, 11, 23))
    assert due_of_a_new_ticket(2) == datetime(2026, 11, 24, 16, 0, tzinfo=NAIROBI)
    closure.delete()
    assert due_of_a_new_ticket(3) == datetime(2026, 11, 23, 16, 0, tzinfo=NAIROBI)


def test_a_change_saved_by_another_process_is_seen_here_on_the_next_ticket():
    due_of_a_new_ticket(1)
    # Another process saves the policy: its row changes (no signal in this process)...
    SlaPolicy.objects.filter(pk=default_policy().pk).update(first_response_days=Decimal("2"))
    assert due_of_a_new_ticket(2) == datetime(2026, 11, 23, 16, 0, tzinfo=NAIROBI)  # kept copy
    # ... and its signal writes a new version in the shared cache.
    cache.set(sla_memo.version_key, "written-by-another-process", timeout=None)
    assert due_of_a_new_ticket(3) == datetime(2026, 11, 24, 16, 0, tzinfo=NAIROBI)


def test_with_the_cache_down_every_ticket_reads_the_settings_and_nothing_fails(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    due_of_a_new_ticket(1)
    SlaPolicy.objects.filter(pk=default_policy().pk).update(first_response_days=Decimal("2"))
    assert due_of_a_new_ticket(2) == datetime(2026, 11, 24, 16, 0, tzinfo=NAIROBI)


def test_a_product_withdrawn_in_the_admin_is_refused_by_the_next_form():
    data = contact_data()
    assert ContactForm(data).is_valid()
    flow = factories.product("akvo-flow")
    flow.is_active = False
    flow.save()
    form = ContactForm(data)
    assert not form.is_valid()
    assert "product" in form.errors
