"""Back office: managers subscribe URLs to ticket events and follow every delivery attempt.

The signing secret is shown here, to those who may view subscriptions (support
managers), so they can hand it to the receiver; it is stored as it is because
each delivery is signed with it.
"""

from __future__ import annotations

from typing import Any
from typing import cast as typed

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from integrations.webhooks.models import (
    EVENT_CHOICES,
    WebhookAttempt,
    WebhookDelivery,
    WebhookDeliveryQuerySet,
    WebhookSubscription,
)
from integrations.webhooks.services import subscription_new_secret, subscription_send_test
from integrations.webhooks.targets import TargetRefused, TargetUnresolved, check_target
from tickets.models import OutboxStatus
from tickets.outbox import outbox_retry_now


class WebhookSubscriptionForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=EVENT_CHOICES, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "events", "include_personal_data", "is_active"]

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        try:
            check_target(url)  # the SSRF guard, again at every delivery
        except (TargetRefused, TargetUnresolved) as refused:
            raise forms.ValidationError(str(refused), code="refused_target") from None
        return url


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ["name", "url", "event_list", "is_active", "include_personal_data", "history"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    readonly_fields = ["secret", "previous_secret_expires_at", "created_by", "created_at"]
    actions = ["send_test", "new_secret"]

    @admin.display(description=_("events"))
    def event_list(self, obj: WebhookSubscription) -> str:
        return ", ".join(obj.events or [])

    @admin.display(description=_("deliveries"))
    def history(self, obj: WebhookSubscription) -> str:
        url = reverse("admin:webhooks_webhookdelivery_changelist")
        return format_html('<a href="{}?subscription={}">{}</a>', url, obj.pk, _("deliveries"))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Send a test event"), permissions=["change"])
    def send_test(self, request: HttpRequest, queryset: QuerySet[WebhookSubscription]) -> None:
        for subscription in queryset:
            subscription_send_test(subscription=subscription)
        self.message_user(
            request,
            _("A test event is on its way; its delivery is listed under Webhook deliveries."),
            messages.SUCCESS,
        )

    @admin.action(description=_("Generate a new signing secret"), permissions=["change"])
    def new_secret(self, request: HttpRequest, queryset: QuerySet[WebhookSubscription]) -> None:
        for subscription in queryset:
            subscription_new_secret(subscription=subscription)
        message = str(_("New secrets generated: give them to the receivers."))
        if settings.WEBHOOK_SECRET_GRACE_HOURS > 0:
            message += " " + _(
                "Deliveries carry a signature with the old secret too for %(hours)g hours."
            ) % {"hours": settings.WEBHOOK_SECRET_GRACE_HOURS}
        self.message_user(request, message, messages.WARNING)


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = readonly_fields = (
        "number",
        "started_at",
        "outcome",
        "status_code",
        "duration_ms",
        "error",
        "next_retry",
    )
    extra = 0
    can_delete = False
    ordering = ["number", "pk"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("next retry"))
    def next_retry(self, attempt: WebhookAttempt) -> str:
        """The delivery's next attempt, shown on the attempt that is waiting for it."""
        delivery = attempt.delivery
        if delivery.status == OutboxStatus.PENDING and delivery.attempts == attempt.number:
            return str(formats.localize(timezone.localtime(delivery.next_attempt_at)))
        return "—"


class SubscriptionFilter(admin.SimpleListFilter):
    title = _("subscription")
    parameter_name = "subscription"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[Any, str]]:
        return [(s.pk, str(s)) for s in WebhookSubscription.objects.all()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value():
            return typed(WebhookDeliveryQuerySet, queryset).for_subscription(int(self.value() or 0))
        return queryset


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Each event sent to each subscription: the outbox row, with every attempt below it."""

    list_display = [
        "created_at",
        "subscription",
        "event_type",
        "ticket",
        "status",
        "attempts",
        "next_attempt_at",
        "short_error",
    ]
    list_filter = ["status", SubscriptionFilter]
    list_select_related = ["ticket"]
    search_fields = ["key", "last_error"]
    fields = readonly_fields = (
        "event_id",
        "event_type",
        "subscription",
        "ticket",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "result",
        "created_at",
        "delivered_at",
    )
    inlines = [WebhookAttemptInline]
    actions = ["retry_now"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookDelivery]:
        # The subscription's name in the same query (the row names it in its payload).
        names = WebhookSubscription.objects.filter(
            pk=Cast(KeyTextTransform("subscription_id", OuterRef("payload")), IntegerField())
        ).values("name")[:1]
        return super().get_queryset(request).annotate(subscription_name=Subquery(names))

    @admin.display(description=_("subscription"))
    def subscription(self, obj: WebhookDelivery) -> str:
        return getattr(obj, "subscription_name", None) or "—"

    @admin.display(description=_("event"))
    def event_type(self, obj: WebhookDelivery) -> str:
        return obj.event_type

    @admin.display(description=_("event id"))
    def event_id(self, obj: WebhookDelivery) -> str:
        return obj.event_id

    @admin.display(description=_("last error"))
    def short_error(self, obj: WebhookDelivery) -> str:
        return (obj.last_error or "")[:120]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Retry now"), permissions=["change"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        rows = queryset.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.FAILED])
        count = outbox_retry_now(rows=rows)
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery will be attempted again.",
                "%(count)d deliveries will be attempted again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
