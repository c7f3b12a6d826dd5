"""Webhook outbox rows stop keeping personal data.

Rows written before kept the whole body of their first attempt
(``payload["body"]``), ``data.personal`` included for subscriptions with
personal data, for as long as the row is kept (``OUTBOX_KEEP_DELIVERED_DAYS``).
Each such row now keeps the event without it (``payload["event"]``, the same
bytes for a subscription without personal data); a retry adds personal data
again at send time only if the subscription still includes it.
"""

import json

from django.db import migrations


def strip_personal_data(apps, schema_editor):
    OutboxMessage = apps.get_model("tickets", "OutboxMessage")
    rows = OutboxMessage.objects.filter(kind="webhook", payload__has_key="body")
    for row in rows.only("pk", "payload").iterator():
        payload = dict(row.payload)
        document = json.loads(payload.pop("body"))
        document.get("data", {}).pop("personal", None)
        payload["event"] = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        OutboxMessage.objects.filter(pk=row.pk).update(payload=payload)


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0002_alter_webhookattempt_outcome"),
    ]

    operations = [
        migrations.RunPython(strip_personal_data, migrations.RunPython.noop, elidable=True),
    ]
