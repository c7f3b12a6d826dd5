"""The taxonomy joins the catalog app in the migration state only.

The tables were created by the tickets app (0001, and 0004 for hub closures) and
keep their names (``db_table = "tickets_hub"`` …), so nothing is created or
copied: tickets 0010 and kb 0004 re-point their foreign keys to these models,
and tickets 0010 takes them out of the tickets app's state and moves their
content types.
"""

import datetime

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models

import catalog.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        # The tables exist once the tickets app's migrations up to the move have run.
        ("tickets", "0009_escalation_comments_read_until"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Category",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=80, unique=True, verbose_name="name")),
                        ("slug", models.SlugField(max_length=80, unique=True, verbose_name="slug")),
                        ("description", models.TextField(blank=True, verbose_name="description")),
                        (
                            "position",
                            models.PositiveSmallIntegerField(default=0, verbose_name="position"),
                        ),
                        ("is_active", models.BooleanField(default=True, verbose_name="active")),
                    ],
                    options={
                        "verbose_name": "category",
                        "verbose_name_plural": "categories",
                        "db_table": "tickets_category",
                        "ordering": ["position", "name"],
                    },
                ),
                migrations.CreateModel(
                    name="Hub",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=80, unique=True, verbose_name="name")),
                        ("slug", models.SlugField(max_length=80, unique=True, verbose_name="slug")),
                        (
                            "time_zone",
                            models.CharField(
                                default="UTC",
                                max_length=64,
                                validators=[catalog.models.validate_time_zone],
                                verbose_name="time zone",
                            ),
                        ),
                        (
                            "working_days",
                            models.JSONField(
                                default=catalog.models.default_working_days,
                                help_text="Numbers of the working weekdays: 0 is Monday, 6 is Sunday.",
                                validators=[catalog.models.validate_working_days],
                                verbose_name="working days",
                            ),
                        ),
                        (
                            "work_starts",
                            models.TimeField(
                                default=datetime.time(9, 0), verbose_name="working day starts"
                            ),
                        ),
                        (
                            "work_ends",
                            models.TimeField(
                                default=datetime.time(17, 0), verbose_name="working day ends"
                            ),
                        ),
                        (
                            "holiday_country",
                            models.CharField(
                                blank=True,
                                help_text="ISO country code whose public holidays close this hub, e.g. KE.",
                                max_length=3,
                                validators=[catalog.models.validate_holiday_country],
                                verbose_name="public holidays of",
                            ),
                        ),
                        (
                            "holiday_subdivision",
                            models.CharField(
                                blank=True, max_length=10, verbose_name="holiday subdivision"
                            ),
                        ),
                        ("is_active", models.BooleanField(default=True, verbose_name="active")),
                    ],
                    options={
                        "verbose_name": "hub",
                        "verbose_name_plural": "hubs",
                        "db_table": "tickets_hub",
                        "ordering": ["name"],
                    },
                ),
                migrations.CreateModel(
                    name="Impact",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=80, unique=True, verbose_name="name")),
                        ("slug", models.SlugField(max_length=80, unique=True, verbose_name="slug")),
                        (
                            "level",
                            models.PositiveSmallIntegerField(
                                help_text="1 is the most severe.", unique=True, verbose_name="level"
                            ),
                        ),
                        (
                            "definition",
                            models.TextField(
                                help_text="What a triager reads to choose it.",
                                verbose_name="definition",
                            ),
                        ),
                        ("is_active", models.BooleanField(default=True, verbose_name="active")),
                    ],
                    options={
                        "verbose_name": "impact",
                        "verbose_name_plural": "impacts",
                        "db_table": "tickets_impact",
                        "ordering": ["level"],
                    },
                ),
                migrations.CreateModel(
                    name="IssueTag",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=80, unique=True, verbose_name="name")),
                        ("slug", models.SlugField(max_length=80, unique=True, verbose_name="slug")),
                        ("description", models.TextField(blank=True, verbose_name="description")),
                        ("is_active", models.BooleanField(default=True, verbose_name="active")),
                    ],
                    options={
                        "verbose_name": "issue tag",
                        "verbose_name_plural": "issue tags",
                        "db_table": "tickets_issuetag",
                        "ordering": ["name"],
                    },
                ),
                migrations.CreateModel(
                    name="Product",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=80, unique=True, verbose_name="name")),
                        ("slug", models.SlugField(max_length=80, unique=True, verbose_name="slug")),
                        (
                            "github_repository",
                            models.CharField(
                                blank=True,
                                help_text="owner/name of the repository that L2 escalations are filed in.",
                                max_length=140,
                                validators=[catalog.models.validate_github_repository],
                                verbose_name="GitHub repository",
                            ),
                        ),
                        (
                            "report_fields",
                            models.JSONField(
                                blank=True,
                                default=list,
                                help_text='Extra details a report about this product needs, as a list of {"name": "dashboard", "label": "Dashboard", "help": "…"}.',
                                validators=[catalog.models.validate_report_fields],
                                verbose_name="report fields",
                            ),
                        ),
                        ("description", models.TextField(blank=True, verbose_name="description")),
                        (
                            "position",
                            models.PositiveSmallIntegerField(default=0, verbose_name="position"),
                        ),
                        ("is_active", models.BooleanField(default=True, verbose_name="active")),
                    ],
                    options={
                        "verbose_name": "product",
                        "verbose_name_plural": "products",
                        "db_table": "tickets_product",
                        "ordering": ["position", "name"],
                    },
                ),
                migrations.CreateModel(
                    name="HubClosure",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("date", models.DateField(verbose_name="date")),
                        (
                            "reason",
                            models.CharField(blank=True, max_length=200, verbose_name="reason"),
                        ),
                        (
                            "hub",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="closures",
                                to="catalog.hub",
                                verbose_name="hub",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "hub closure",
                        "verbose_name_plural": "hub closures",
                        "db_table": "tickets_hubclosure",
                        "ordering": ["hub", "date"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("hub", "date"), name="hub_closure_once_per_day"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Partner",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=200, verbose_name="name")),
                        ("is_active", models.BooleanField(default=True, verbose_name="active")),
                        ("notes", models.TextField(blank=True, verbose_name="notes")),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="created"),
                        ),
                        (
                            "hub",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="partners",
                                to="catalog.hub",
                                verbose_name="hub",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "partner",
                        "verbose_name_plural": "partners",
                        "db_table": "tickets_partner",
                        "ordering": ["name"],
                        "constraints": [
                            models.UniqueConstraint(
                                django.db.models.functions.text.Lower("name"),
                                name="partner_name_unique_ci",
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
