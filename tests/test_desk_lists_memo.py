"""The desk's lists and its staff's permissions are read once per process, and again after a change.

Every desk page needs the taxonomy, the staff, the reader's saved views and what the
reader may do; they change on admin edits only. Each process keeps them under a
version in the shared cache, which any change of those rows moves on.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from catalog.models import IssueTag
from tests import factories
from tickets import roles, services
from tickets.models import SavedView
from tickets.queues import desk_lists
from tickets.queues.lists import lists_memo

pytestmark = pytest.mark.django_db


def queries_of(run) -> int:
    with CaptureQueriesContext(connection) as queries:
        run()
    return len(queries.captured_queries)


def labels(kind: str, user=None) -> list[str]:
    return [choice.label for choice in getattr(desk_lists(user), kind)]


def test_a_second_read_runs_no_query():
    agent = factories.l1_agent()
    desk_lists(agent)
    assert queries_of(lambda: desk_lists(agent)) == 0


def test_each_reader_gets_their_own_copies():
    agent = factories.l1_agent()
    first = desk_lists(agent)
    first.hubs.clear()
    assert desk_lists(agent).hubs


def test_a_renamed_hub_and_a_new_tag_show_at_once():
    desk_lists(None)
    hub = factories.hub()
    hub.name = "East Africa and the Horn"
    hub.save()
    IssueTag.objects.create(slug="sync", name="Sync")
    assert "East Africa and the Horn" in labels("hubs")
    assert "Sync" in labels("tags")


def test_saved_views_are_each_readers_own_and_a_new_one_shows_at_once():
    amina, joost = factories.l1_agent(), factories.l1_agent()
    assert labels("saved_views", amina) == []
    SavedView.objects.create(owner=amina, name="Critical bugs", queue="all", query="impact=x")
    assert labels("saved_views", amina) == ["Critical bugs"]
    assert labels("saved_views", joost) == []


def test_a_new_staff_member_and_a_new_role_move_the_assign_to_list():
    desk_lists(None)
    newcomer = factories.l2_engineer(first_name="Noor", last_name="Haddad")
    ranks = {c.label: c.rank for c in desk_lists(None).staff}
    assert "Noor Haddad" in ranks
    newcomer.groups.set([Group.objects.get(name=roles.L1_AGENT)])  # m2m: no save signal
    works_tickets = {c.label: c.rank for c in desk_lists(None).staff}["Noor Haddad"]
    assert works_tickets < ranks["Noor Haddad"]


def test_an_agent_signing_in_keeps_everyones_lists():
    agent = factories.l1_agent()
    desk_lists(None)
    Client().force_login(agent)  # Django saves last_login alone
    assert queries_of(lambda: desk_lists(None)) == 0


def test_a_merged_partner_is_listed_as_inactive_at_once():
    manager = factories.support_manager()
    duplicate, into = factories.PartnerFactory(), factories.PartnerFactory()
    assert desk_lists(None).by_id("partners")[duplicate.pk].active
    services.partner_merge(duplicate=duplicate, into=into, by=manager)  # update(), no signal
    assert not desk_lists(None).by_id("partners")[duplicate.pk].active


def fresh(user):
    return type(user).objects.get(pk=user.pk)  # a new request's user: no permission cache


def test_permissions_are_read_once_and_a_revoked_role_counts_at_once():
    agent = factories.l1_agent()
    assert fresh(agent).has_perm(roles.TRIAGE)
    later = fresh(agent)
    assert queries_of(lambda: later.has_perm(roles.TRIAGE)) == 0
    agent.groups.set([Group.objects.get(name=roles.L2_ENGINEER)])
    assert not fresh(agent).has_perm(roles.TRIAGE)


def test_a_permission_taken_from_a_role_counts_at_once():
    agent = factories.l1_agent()
    assert fresh(agent).has_perm(roles.TRIAGE)
    app_label, codename = roles.TRIAGE.split(".")
    triage = Permission.objects.get(content_type__app_label=app_label, codename=codename)
    Group.objects.get(name=roles.L1_AGENT).permissions.remove(triage)
    assert not fresh(agent).has_perm(roles.TRIAGE)


def test_a_deactivated_account_has_no_permissions():
    agent = factories.l1_agent()
    assert fresh(agent).has_perm(roles.VIEW)
    agent.is_active = False
    agent.save()
    assert not fresh(agent).has_perm(roles.VIEW)


def test_without_the_cache_every_read_reads_the_rows(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    agent = factories.l1_agent()
    assert labels("hubs", agent)
    assert queries_of(lambda: desk_lists(agent)) == 2  # the shared lists, the saved views
    assert fresh(agent).has_perm(roles.VIEW)


class _AwayCache:
    def set(self, *args, **kwargs):
        raise ConnectionError("the cache is away")


def test_a_change_made_while_the_cache_was_away_reaches_the_other_processes_once_it_is_back(
    monkeypatch,
):
    desk_lists(None)
    monkeypatch.setattr("catalog.memo.cache", _AwayCache())
    IssueTag.objects.create(name="Sync", slug="sync-away")  # its announcement fails
    monkeypatch.undo()
    announced_before = cache.get(lists_memo.version_key)

    desk_lists(None)  # this process's next read announces the change

    assert cache.get(lists_memo.version_key) != announced_before
