"""Sections and articles belong to a catalog product (state only: same table, same column)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("kb", "0003_suggestion_answered"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="article",
                    name="product",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="kb_articles",
                        to="catalog.product",
                        verbose_name="product",
                    ),
                ),
                migrations.AlterField(
                    model_name="section",
                    name="product",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="kb_sections",
                        to="catalog.product",
                        verbose_name="product",
                    ),
                ),
            ],
        ),
    ]
