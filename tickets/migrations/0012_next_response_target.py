"""Next-response SLA target and what the desk needs to hear customer replies.

Schema: ``SlaPolicy.next_response_days``, the ``next_response`` clock target, and
the ticket's conversation fields (``last_public_reply_at``, ``customer_replied_at``,
``customer_reply_notice_at``, ``next_response_due_at``) with the *Needs reply* index.

Data: every existing policy gets a next-response target equal to its first-response
target (an admin's numbers are kept); Critical and Significant get their own shorter
policies only if they have none yet (values copied here, see tickets.sla.defaults).
Existing tickets get their last public reply and, when open, the customer reply
that came after it; no next-response clock is started for them.
"""

from decimal import Decimal

import django.core.validators
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

# impact slug -> (first response, next response), in working days
PER_IMPACT = {
    "critical": (Decimal("0.25"), Decimal("0.25")),
    "significant": (Decimal("0.5"), Decimal("0.5")),
}


def seed_next_response_policies(apps, schema_editor):
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    Impact = apps.get_model("catalog", "Impact")
    for policy in SlaPolicy.objects.all():
        policy.next_response_days = policy.first_response_days
        policy.save(update_fields=["next_response_days"])
    default = SlaPolicy.objects.filter(impact__isnull=True).first()
    for slug, (first, following) in PER_IMPACT.items():
        impact = Impact.objects.filter(slug=slug).first()
        if impact is None or SlaPolicy.objects.filter(impact=impact).exists():
            continue
        SlaPolicy.objects.create(
            impact=impact,
            first_response_days=first,
            next_response_days=following,
            resolution_days=default.resolution_days if default else None,
        )


def backfill_conversation(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    Message = apps.get_model("tickets", "Message")
    last_reply = (
        Message.objects.filter(ticket=OuterRef("pk"), kind="reply")
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    Ticket.objects.filter(first_responded_at__isnull=False).update(
        last_public_reply_at=Subquery(last_reply)
    )
    customer_after = (
        Message.objects.filter(
            ticket=OuterRef("pk"),
            kind="customer",
            created_at__gt=OuterRef("last_public_reply_at"),
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    Ticket.objects.filter(
        last_public_reply_at__isnull=False, status__in=["new", "open", "waiting", "escalated"]
    ).update(customer_replied_at=Subquery(customer_after))


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("tickets", "0011_staff_profile"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="slapolicy",
            name="next_response_days",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("1"),
                help_text="From a customer message that follows our public reply to our next public reply.",
                max_digits=5,
                validators=[django.core.validators.MinValueValidator(Decimal("0.05"))],
                verbose_name="next response within (working days)",
            ),
        ),
        migrations.AddField(
            model_name="ticket",
            name="customer_replied_at",
            field=models.DateTimeField(
                blank=True,
                help_text="The requester's latest message since our last public reply; empty once we reply.",
                null=True,
                verbose_name="customer replied",
            ),
        ),
        migrations.AddField(
            model_name="ticket",
            name="customer_reply_notice_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When staff were last told of a customer reply (replies in a burst: one notice).",
                null=True,
                verbose_name="customer reply notice sent",
            ),
        ),
        migrations.AddField(
            model_name="ticket",
            name="last_public_reply_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Our latest reply to them.",
                null=True,
                verbose_name="last public reply",
            ),
        ),
        migrations.AddField(
            model_name="ticket",
            name="next_response_due_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="next response due"),
        ),
        migrations.AlterField(
            model_name="slaclock",
            name="target",
            field=models.CharField(
                choices=[
                    ("first_response", "First response"),
                    ("resolution", "Resolution"),
                    ("next_response", "Next response"),
                ],
                max_length=20,
                verbose_name="target",
            ),
        ),
        migrations.AlterField(
            model_name="slaevent",
            name="target",
            field=models.CharField(
                choices=[
                    ("first_response", "First response"),
                    ("resolution", "Resolution"),
                    ("next_response", "Next response"),
                ],
                max_length=20,
                verbose_name="target",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(
                    ("customer_replied_at__isnull", False),
                    ("status__in", ("new", "open", "waiting", "escalated")),
                ),
                fields=["next_response_due_at", "id"],
                name="ticket_needs_reply_due",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("next_response_due_at__isnull", False)),
                fields=["next_response_due_at", "id"],
                name="ticket_next_response_due",
            ),
        ),
        migrations.RunPython(seed_next_response_policies, migrations.RunPython.noop),
        migrations.RunPython(backfill_conversation, migrations.RunPython.noop),
    ]
