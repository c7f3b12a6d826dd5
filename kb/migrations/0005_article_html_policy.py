"""The fingerprint of the sanitising policy each article's stored HTML was cleaned with.

Existing articles get an empty fingerprint, which matches no policy: pages render
them again on the fly until ``manage.py kb_refresh_html`` stores fresh HTML.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0004_taxonomy_to_catalog"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="html_policy",
            field=models.CharField(
                blank=True, editable=False, max_length=64, verbose_name="HTML policy"
            ),
        ),
    ]
