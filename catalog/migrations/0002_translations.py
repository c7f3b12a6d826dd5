"""Products, categories, impacts and issue tags keep their text in other languages too.

A ``translations`` column each (helpdesk.translated), ``{}`` by default in the
database as well (a row written without the model layer is untranslated, not
refused); a report field may carry its own ``"translations"`` (checked by
validate_report_fields, now in catalog.report_fields).
"""

from django.db import migrations, models

import catalog.report_fields
import helpdesk.translated


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="translations",
            field=models.JSONField(
                blank=True,
                db_default={},
                default=dict,
                help_text="The text in the site's other languages; English is used where blank.",
                validators=[helpdesk.translated.validate_translations],
                verbose_name="translations",
            ),
        ),
        migrations.AddField(
            model_name="impact",
            name="translations",
            field=models.JSONField(
                blank=True,
                db_default={},
                default=dict,
                help_text="The text in the site's other languages; English is used where blank.",
                validators=[helpdesk.translated.validate_translations],
                verbose_name="translations",
            ),
        ),
        migrations.AddField(
            model_name="issuetag",
            name="translations",
            field=models.JSONField(
                blank=True,
                db_default={},
                default=dict,
                help_text="The text in the site's other languages; English is used where blank.",
                validators=[helpdesk.translated.validate_translations],
                verbose_name="translations",
            ),
        ),
        migrations.AddField(
            model_name="product",
            name="translations",
            field=models.JSONField(
                blank=True,
                db_default={},
                default=dict,
                help_text="The text in the site's other languages; English is used where blank.",
                validators=[helpdesk.translated.validate_translations],
                verbose_name="translations",
            ),
        ),
        migrations.AlterField(
            model_name="product",
            name="report_fields",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text='Extra details a report about this product needs, as a list of {"name": "dashboard", "label": "Dashboard", "help": "…"}; each may add its label and help in other languages: "translations": {"fr": {"label": "Tableau de bord", "help": "…"}} (English is shown where one is missing).',
                validators=[catalog.report_fields.validate_report_fields],
                verbose_name="report fields",
            ),
        ),
    ]
