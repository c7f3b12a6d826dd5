"""The taxonomy leaves the tickets app: its foreign keys point at the catalog's models.

State only: the tables (``tickets_hub`` …) and their columns and constraints stay
as they are, now owned by catalog (its 0001). The content types move with the
models (tickets → catalog), so the permissions the roles hold, and the admin's
history of changes to hubs, partners and products, stay attached to them.
"""

import django.db.models.deletion
from django.db import migrations, models

from helpdesk.db import move_content_types

MOVED = ["hub", "hubclosure", "partner", "product", "category", "impact", "issuetag"]


def content_types_to_catalog(apps, schema_editor):
    move_content_types(apps, "tickets", "catalog", MOVED)


def content_types_to_tickets(apps, schema_editor):
    move_content_types(apps, "catalog", "tickets", MOVED)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0009_escalation_comments_read_until"),
        ("catalog", "0001_initial"),
        ("kb", "0004_taxonomy_to_catalog"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="cannedresponse",
                    name="set_category",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="catalog.category",
                        verbose_name="and set category to",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="category",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="catalog.category",
                        verbose_name="category",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="hub",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="catalog.hub",
                        verbose_name="hub",
                    ),
                ),
                migrations.AlterField(
                    model_name="cannedresponse",
                    name="set_impact",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="catalog.impact",
                        verbose_name="and set impact to",
                    ),
                ),
                migrations.AlterField(
                    model_name="slapolicy",
                    name="impact",
                    field=models.OneToOneField(
                        blank=True,
                        help_text="Leave empty for the default policy that applies to every impact.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sla_policy",
                        to="catalog.impact",
                        verbose_name="impact",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="impact",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="catalog.impact",
                        verbose_name="impact",
                    ),
                ),
                migrations.AlterField(
                    model_name="requester",
                    name="partner",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="requesters",
                        to="catalog.partner",
                        verbose_name="partner",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="partner",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="catalog.partner",
                        verbose_name="partner",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="product",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="catalog.product",
                        verbose_name="product",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="issue_tags",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="tickets",
                        to="catalog.issuetag",
                        verbose_name="issue tags",
                    ),
                ),
                migrations.DeleteModel(name="HubClosure"),
                migrations.DeleteModel(name="Partner"),
                migrations.DeleteModel(name="Category"),
                migrations.DeleteModel(name="Impact"),
                migrations.DeleteModel(name="IssueTag"),
                migrations.DeleteModel(name="Product"),
                migrations.DeleteModel(name="Hub"),
            ],
        ),
        migrations.RunPython(content_types_to_catalog, content_types_to_tickets),
    ]
