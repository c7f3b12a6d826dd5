"""The taxonomy's move from tickets to catalog loses nothing.

The database is taken back to the schema before the move (tickets 0009, kb 0003,
no catalog), filled through the historical models of that time, and migrated
forward: every row, every foreign key and the content types (with the
permissions and admin history hanging on them) are still there, now under
catalog. The test ends with the database at the latest migrations again.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("tickets", "0009_escalation_comments_read_until"),
    ("kb", "0003_suggestion_answered"),
    ("catalog", None),
]
AFTER = [
    ("tickets", "0010_taxonomy_to_catalog"),
    ("kb", "0004_taxonomy_to_catalog"),
    ("catalog", "0001_initial"),
]
# The apps whose rows the move must carry along, at their latest migration.
AROUND = [
    ("contenttypes", "0002_remove_content_type_name"),
    ("auth", "0012_alter_user_first_name_max_length"),
    ("admin", "0003_logentry_add_action_flag_choices"),
]
MOVED = ["hub", "hubclosure", "partner", "product", "category", "impact", "issuetag"]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    nodes = [target for target in targets if target[1] is not None] + AROUND
    return MigrationExecutor(connection).loader.project_state(nodes).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _fill_before(apps):
    """The taxonomy and what refers to it, as the tickets app held it before the move."""
    hub = apps.get_model("tickets", "Hub").objects.create(
        name="Moon base", slug="moon-base", time_zone="UTC", holiday_country="NL"
    )
    apps.get_model("tickets", "HubClosure").objects.create(
        hub=hub, date=date(2026, 12, 24), reason="Office party"
    )
    partner = apps.get_model("tickets", "Partner").objects.create(name="Lunar Water", hub=hub)
    product = apps.get_model("tickets", "Product").objects.create(
        name="Moon Flow", slug="moon-flow", github_repository="moon/flow"
    )
    category = apps.get_model("tickets", "Category").objects.create(
        name="Moon bug", slug="moon-bug"
    )
    impact = apps.get_model("tickets", "Impact").objects.create(
        name="Lunar", slug="lunar", level=42, definition="Felt on the moon."
    )
    tag = apps.get_model("tickets", "IssueTag").objects.create(name="Craters", slug="craters")
    requester = apps.get_model("tickets", "Requester").objects.create(
        email="ada@example.org", partner=partner
    )
    ticket = apps.get_model("tickets", "Ticket").objects.create(
        subject="Dust in the pump",
        channel="web",
        requester=requester,
        partner=partner,
        hub=hub,
        product=product,
        category=category,
        impact=impact,
    )
    ticket.issue_tags.add(tag)
    apps.get_model("tickets", "SlaPolicy").objects.create(impact=impact, first_response_days=2)
    apps.get_model("tickets", "CannedResponse").objects.create(
        title="Moon answer", body="Hello", set_category=category, set_impact=impact
    )
    section = apps.get_model("kb", "Section").objects.create(
        product=product, title="Pumps", slug="pumps"
    )
    article = apps.get_model("kb", "Article").objects.create(
        product=product, section=section, title="Cleaning the pump", slug="cleaning-the-pump"
    )
    return {"hub": hub, "ticket": ticket, "article": article, "tag": tag}


def _history_on_the_old_content_type(apps, hub):
    """A role that may change hubs, and an admin log entry about this hub."""
    ContentTypeThen = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    hub_type, _ = ContentTypeThen.objects.get_or_create(app_label="tickets", model="hub")
    permission, _ = Permission.objects.get_or_create(
        content_type=hub_type, codename="change_hub", defaults={"name": "Can change hub"}
    )
    group = apps.get_model("auth", "Group").objects.create(name="Moon managers")
    group.permissions.add(permission)
    user = apps.get_model("auth", "User").objects.create(username="moon-admin")
    apps.get_model("admin", "LogEntry").objects.create(
        user=user,
        content_type=hub_type,
        object_id=str(hub.pk),
        object_repr="Moon base",
        action_flag=2,
        change_message="[]",
    )
    return hub_type.pk


@pytest.mark.django_db(transaction=True)
def test_undoing_the_move_gives_tickets_its_content_types_and_redoing_it_keeps_every_row_and_link():
    try:
        before = _migrate(BEFORE)
        # Undone, the move hands the content types back to tickets (with their ids).
        types = ContentType.objects.filter(model__in=MOVED)
        assert set(types.values_list("app_label", flat=True)) == {"tickets"}
        rows = _fill_before(before)
        hub_type_id = _history_on_the_old_content_type(before, rows["hub"])

        after = _migrate(AFTER)

        Hub = after.get_model("catalog", "Hub")
        hub = Hub.objects.get(slug="moon-base")
        assert hub.pk == rows["hub"].pk
        assert hub.holiday_country == "NL"
        assert [c.reason for c in hub.closures.all()] == ["Office party"]
        partner = after.get_model("catalog", "Partner").objects.get(name="Lunar Water")
        assert partner.hub_id == hub.pk

        ticket = after.get_model("tickets", "Ticket").objects.get(pk=rows["ticket"].pk)
        assert ticket.hub == hub
        assert ticket.partner == partner
        assert ticket.product.slug == "moon-flow"
        assert ticket.category.slug == "moon-bug"
        assert ticket.impact.level == 42
        assert [t.slug for t in ticket.issue_tags.all()] == ["craters"]
        assert ticket.requester.partner == partner
        assert ticket.impact.sla_policy.first_response_days == 2
        canned = after.get_model("tickets", "CannedResponse").objects.get(title="Moon answer")
        assert (canned.set_category.slug, canned.set_impact.slug) == ("moon-bug", "lunar")

        article = after.get_model("kb", "Article").objects.get(pk=rows["article"].pk)
        assert article.product.slug == "moon-flow"
        assert article.section.product == article.product

        ContentTypeNow = after.get_model("contenttypes", "ContentType")
        assert not ContentTypeNow.objects.filter(app_label="tickets", model__in=MOVED).exists()
        moved_types = ContentTypeNow.objects.filter(model__in=MOVED)
        assert set(moved_types.values_list("app_label", flat=True)) == {"catalog"}
        hub_type = ContentTypeNow.objects.get(app_label="catalog", model="hub")
        assert hub_type.pk == hub_type_id
        group = after.get_model("auth", "Group").objects.get(name="Moon managers")
        assert list(group.permissions.values_list("content_type__app_label", "codename")) == [
            ("catalog", "change_hub")
        ]
        entry = after.get_model("admin", "LogEntry").objects.get(object_repr="Moon base")
        assert (entry.content_type_id, entry.object_id) == (hub_type_id, str(hub.pk))
    finally:
        _migrate(_latest())


@pytest.mark.django_db(transaction=True)
def test_a_catalog_content_type_made_in_between_gives_way_to_the_one_with_history():
    try:
        before = _migrate(BEFORE)
        hub = _fill_before(before)["hub"]
        old_type_id = _history_on_the_old_content_type(before, hub)
        # As if a post_migrate had run between the two migrations: a second, empty
        # content type for catalog.hub, whose permission a role was already given.
        Permission = before.get_model("auth", "Permission")
        new_type = before.get_model("contenttypes", "ContentType").objects.create(
            app_label="catalog", model="hub"
        )
        for codename in ("change_hub", "view_hub"):
            granted = Permission.objects.create(
                content_type=new_type, codename=codename, name=codename
            )
            before.get_model("auth", "Group").objects.get(name="Moon managers").permissions.add(
                granted
            )

        after = _migrate(AFTER)

        hub_type = after.get_model("contenttypes", "ContentType").objects.get(
            app_label="catalog", model="hub"
        )
        assert hub_type.pk == old_type_id
        group = after.get_model("auth", "Group").objects.get(name="Moon managers")
        assert sorted(group.permissions.values_list("content_type_id", "codename")) == [
            (old_type_id, "change_hub"),
            (old_type_id, "view_hub"),
        ]
        entry = after.get_model("admin", "LogEntry").objects.get(object_repr="Moon base")
        assert entry.content_type_id == old_type_id
    finally:
        _migrate(_latest())
