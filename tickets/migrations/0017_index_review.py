"""The ticket table's index review (bench/README.md, "Database: the ticket table's indexes").

Adds the requester's (requester, created_at DESC, id DESC) index that the workspace's
related tickets read in order, and partial indexes for the rarely set keys; drops the
foreign-key indexes those and the desk's wider indexes start with, and ``ticket_done``
(``ticket_done_report`` of 0008 has the same key on PostgreSQL). On PostgreSQL, the
report indexes ``ticket_done_report`` and ``sla_clock_started`` include the columns their
figures read, so those are answered from the index alone.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import tickets.models.ticket
from helpdesk.db import PostgreSQLOnly

# The done-per-period figures group COALESCE(resolved_at, closed_at): PostgreSQL answers
# from an expression index alone only when the expression's columns are in it too, so
# both are included (before, each such figure read ~33,000 table pages at 1M tickets).
DONE_REPORT_INDEX = """
DROP INDEX IF EXISTS ticket_done_report;
CREATE INDEX ticket_done_report ON tickets_ticket ((COALESCE(resolved_at, closed_at)))
    INCLUDE (received_at, resolved_at, closed_at, hub_id, partner_id, product_id,
             category_id, impact_id, assignee_id, channel);
"""
# The first-response time's percentiles: the clocks' used time from the index alone.
SLA_CLOCK_INDEX = """
DROP INDEX IF EXISTS sla_clock_started;
CREATE INDEX sla_clock_started ON tickets_slaclock (target, started_at)
    INCLUDE (met_at, remaining, "window");
"""
SLA_CLOCK_INDEX_BEFORE = """
DROP INDEX IF EXISTS sla_clock_started;
CREATE INDEX sla_clock_started ON tickets_slaclock (target, started_at);
"""
DONE_REPORT_INDEX_BEFORE = """
DROP INDEX IF EXISTS ticket_done_report;
CREATE INDEX ticket_done_report ON tickets_ticket ((COALESCE(resolved_at, closed_at)))
    INCLUDE (received_at, hub_id, partner_id, product_id, category_id, impact_id,
             assignee_id, channel);
"""

# Foreign keys whose own (Django-named) index goes: each is served by a wider index.
KEY_COLUMNS = (
    "assignee_id",
    "created_by_id",
    "impact_id",
    "merged_into_id",
    "requester_id",
    "urgent_by_id",
)


def _index_names(schema_editor):
    table = "tickets_ticket"
    for column in KEY_COLUMNS:
        yield column, schema_editor._create_index_name(table, [column])


def drop_key_indexes(apps, schema_editor):
    for _column, name in _index_names(schema_editor):
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def create_key_indexes(apps, schema_editor):
    for column, name in _index_names(schema_editor):
        schema_editor.execute(
            f"CREATE INDEX {schema_editor.quote_name(name)} ON tickets_ticket ({column})"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("tickets", "0016_ticket_search"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="ticket",
            name="ticket_done",
        ),
        PostgreSQLOnly(migrations.RunSQL(DONE_REPORT_INDEX, DONE_REPORT_INDEX_BEFORE)),
        # The access token: one unique index with varchar_pattern_ops serves equality and
        # the requester link's prefix lookup; unique=True had made two (146 MB at 1M).
        migrations.AddConstraint(
            model_name="ticket",
            constraint=models.UniqueConstraint(
                fields=("token",),
                name="ticket_token_unique",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="token",
            field=models.CharField(
                default=tickets.models.ticket.new_access_token,
                editable=False,
                max_length=64,
                verbose_name="access token",
            ),
        ),
        PostgreSQLOnly(migrations.RunSQL(SLA_CLOCK_INDEX, SLA_CLOCK_INDEX_BEFORE)),
        # The foreign keys' own indexes are dropped by name; the constraints stay as they
        # are (an AlterField would drop and re-validate each constraint over every row).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ticket",
                    name="assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        limit_choices_to={"is_active": True, "is_staff": True},
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="assigned_tickets",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assignee",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="created_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="The agent who logged it on the client's behalf, if any.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="logged by",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="impact",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="catalog.impact",
                        verbose_name="impact",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="merged_into",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="merged_tickets",
                        to="tickets.ticket",
                        verbose_name="merged into",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="requester",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="tickets.requester",
                        verbose_name="requester",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="urgent_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="marked urgent by",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_key_indexes, create_key_indexes, elidable=False),
            ],
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["requester", "-created_at", "-id"], name="ticket_requester_created"
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("merged_into__isnull", False)),
                fields=["merged_into"],
                name="ticket_merged_into",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("created_by__isnull", False)),
                fields=["created_by"],
                name="ticket_created_by",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("urgent_by__isnull", False)),
                fields=["urgent_by"],
                name="ticket_urgent_by",
            ),
        ),
    ]
