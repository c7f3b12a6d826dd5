"""The desk's lists (taxonomy, staff, saved views): read once per process, again after a change.

They are kept per reader (the saved views are the agent's own) under a version in
the shared cache, as the catalog is (tests/test_sla_settings_cache.py).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tickets import roles
from tickets.models import SavedView
from tickets.queues import DeskLists, desk_lists
from tickets.queues.lists import WORKS_TICKETS

pytestmark = pytest.mark.django_db


def read(user) -> tuple[DeskLists, int]:
    with CaptureQueriesContext(connection) as queries:
        lists = desk_lists(user)
    return lists, len(queries)


def kept_until(change: Callable[[], None], agent) -> DeskLists:
    """The lists after ``change``: read from the database, not from the process's copy."""
    read(agent)
    assert read(agent)[1] == 0
    change()
    lists, queries = read(agent)
    assert queries == 1
    return lists


def test_a_second_page_reads_no_list_and_gets_its_own_copy():
    agent = factories.l1_agent()
    first, queries = read(agent)
    assert queries == 1
    first.hubs.clear()  # a caller changing its copy changes nobody else's
    second, queries = read(agent)
    assert queries == 0
    assert second.hubs


def test_a_hub_renamed_in_the_admin_shows_on_the_next_page():
    agent = factories.l1_agent()
    hub = factories.hub()

    def rename() -> None:
        hub.name = "East Africa and the Horn"
        hub.save()

    assert "East Africa and the Horn" in [c.label for c in kept_until(rename, agent).hubs]


def test_a_new_role_moves_a_staff_member_among_the_people_who_work_tickets():
    agent = factories.l1_agent()
    engineer = factories.l2_engineer()

    def promote() -> None:
        engineer.groups.add(Group.objects.get(name=roles.L1_AGENT))

    staff = {c.id: c for c in kept_until(promote, agent).staff}
    assert staff[engineer.pk].rank == WORKS_TICKETS


def test_saved_views_are_the_readers_own():
    agent, colleague = factories.l1_agent(), factories.l1_agent()
    read(colleague)

    def save_view() -> None:
        SavedView.objects.create(owner=agent, name="Mine, urgent", queue="mine", query="")

    assert [c.label for c in kept_until(save_view, agent).saved_views] == ["Mine, urgent"]
    assert read(colleague)[0].saved_views == []
