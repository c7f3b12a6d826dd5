"""The back office: SLA policies, requesters, tickets (changed through the services), the outbox.

The taxonomy's admin is in catalog.admin."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tickets import partner_admin, services  # noqa: F401 - partner_admin registers "merge into…"
from tickets.models import (
    Attachment,
    Message,
    OutboxMessage,
    OutboxStatus,
    Requester,
    SlaEvent,
    SlaPolicy,
    Status,
    Ticket,
    TicketEvent,
)
from tickets.outbox import outbox_retry_now

# What the ticket form may change through ticket_triage (tags go as ``tags``).
TRIAGE_FIELDS = (*services.CHANGEABLE_FIELDS, "assignee", "status")


def staff_user(request: HttpRequest) -> User:
    """The admin only lets authenticated staff in; say so to the type checker."""
    return cast(User, request.user)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "impact",
        "urgent",
        "first_response_days",
        "next_response_days",
        "resolution_days",
    ]
    list_select_related = ["impact"]


@admin.register(Requester)
class RequesterAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "partner", "created_at"]
    list_filter = ["partner__hub"]
    search_fields = ["email", "name", "partner__name"]
    autocomplete_fields = ["partner"]
    list_select_related = ["partner"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MessageInline(ReadOnlyInline):
    model = Message
    fields = readonly_fields = ("created_at", "kind", "author_label", "body")


class SlaEventInline(ReadOnlyInline):
    model = SlaEvent
    fields = readonly_fields = ("at", "target", "kind", "due_at", "note")
    verbose_name_plural = _("SLA events")


class EventInline(ReadOnlyInline):
    model = TicketEvent
    fields = readonly_fields = (
        "created_at",
        "actor_label",
        "kind",
        "field",
        "old_value",
        "new_value",
    )
    verbose_name_plural = _("history")


class TicketAdminForm(forms.ModelForm):
    """The ticket form, carrying the version it was loaded at (as the desk's forms do)."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Ticket
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and "loaded_version" in self.fields:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk:
            current = Ticket.objects.get(pk=self.instance.pk)
            try:
                services.check_version(
                    ticket=current, expected_version=cleaned.get("loaded_version")
                )
            except services.StaleTicket as stale:
                raise forms.ValidationError(str(stale)) from None
            if set(self.changed_data) - {"loaded_version"}:
                try:
                    services.check_not_closed(current)
                except services.TicketClosed as closed:
                    raise forms.ValidationError(closed.messages[0]) from None
        return cleaned


# Read-only in the back office: the SLA clock and the services set these.
TICKET_TIMES = [
    "received_at",
    "first_response_due_at",
    "first_responded_at",
    "first_response_breached_at",
    "last_public_reply_at",
    "customer_replied_at",
    "next_response_due_at",
    "resolved_at",
    "closed_at",
    "l2_news_at",
    "created_at",
    "updated_at",
]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Changes made here go through the services, so they land in the ticket's history."""

    form = TicketAdminForm

    list_display = [
        "reference",
        "subject",
        "status",
        "escalation_status",
        "impact",
        "category",
        "product",
        "hub",
        "partner",
        "assignee",
        "created_at",
    ]
    list_filter = [
        "status",
        "is_urgent",
        "escalation_status",
        "channel",
        "impact",
        "category",
        "product",
        "hub",
        "issue_tags",
        "created_at",
    ]
    list_select_related = ["impact", "category", "product", "hub", "partner", "assignee"]
    search_fields = ["subject", "requester__email", "requester__name"]
    show_full_result_count = False
    date_hierarchy = "created_at"
    autocomplete_fields = ["partner", "assignee"]
    readonly_fields = [
        "reference",
        "requester",
        "channel",
        "description",
        "what_doing",
        "expected",
        "actual",
        "steps",
        "escalation_status",
        "merged_into",
        "created_by",
        *TICKET_TIMES,
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "reference",
                    "subject",
                    "requester",
                    "channel",
                    "created_by",
                    "loaded_version",
                ]
            },
        ),
        (
            _("Triage"),
            {
                "fields": [
                    "status",
                    "escalation_status",
                    "category",
                    "impact",
                    "issue_tags",
                    "assignee",
                    "product",
                    "partner",
                    "hub",
                ]
            },
        ),
        (
            _("Report"),
            {
                "fields": [
                    "description",
                    "what_doing",
                    "expected",
                    "actual",
                    "steps",
                    "product_details",
                    "environment",
                ]
            },
        ),
        (
            _("Times"),
            {"fields": [*TICKET_TIMES, "merged_into"]},
        ),
    ]
    inlines = [MessageInline, EventInline, SlaEventInline]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        # "HD-1042" or "#1042" is a reference; a bare number may also be in a subject.
        term = search_term.strip()
        if term.startswith("#") or term.upper().startswith(f"{settings.TICKET_REFERENCE_PREFIX}-"):
            return queryset & Ticket.objects.by_reference(term), False
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tickets come from the portal, email, or the desk's "log for a client"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # nothing is ever deleted silently

    def save_model(self, request: HttpRequest, obj: Ticket, form: Any, change: bool) -> None:
        """One triage step, checked against the version the form was loaded at."""
        changed = set(form.changed_data)
        given = {name: form.cleaned_data[name] for name in changed if name in TRIAGE_FIELDS}
        if "issue_tags" in changed:
            given["tags"] = form.cleaned_data["issue_tags"]
        if not given:
            return  # nothing to change (a closed ticket takes no change at all)
        services.ticket_triage(
            ticket=Ticket.objects.get(pk=obj.pk),
            by=staff_user(request),
            expected_version=form.cleaned_data.get("loaded_version"),
            **given,
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Tags went through the triage service (history) instead of form.save_m2m().
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def get_form(
        self, request: HttpRequest, obj: Any | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        status = form.base_fields.get("status")
        if obj is not None and isinstance(status, forms.ChoiceField):
            # Offer only the moves the workflow allows from the current status.
            # Escalation has its own action (it opens the L2 issue), so it is not offered here.
            status.choices = [
                (value, label)
                for value, label in Status.choices
                if value == obj.status or (obj.can_move_to(value) and value != Status.ESCALATED)
            ]
        return form


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "content_type", "size", "message", "created_at"]
    search_fields = ["original_name", "sha256"]
    readonly_fields = ["message", "file", "original_name", "content_type", "size", "sha256"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Pending and failed deliveries stay visible here, with their last error."""

    list_display = [
        "created_at",
        "kind",
        "status",
        "attempts",
        "next_attempt_at",
        "ticket",
        "short_error",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["key", "last_error"]
    readonly_fields = [
        "kind",
        "key",
        "payload",
        "ticket",
        "status",
        "attempts",
        "next_attempt_at",
        "lease_expires_at",
        "lost_attempts",
        "handover_started_at",
        "last_error",
        "result",
        "created_at",
        "delivered_at",
    ]
    actions = ["retry_now"]
    show_full_result_count = False

    @admin.display(description=_("last error"))
    def short_error(self, obj: OutboxMessage) -> str:
        return (obj.last_error or "")[:120]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Retry now"), permissions=["change"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        rows = queryset.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.FAILED])
        count = outbox_retry_now(rows=rows)
        self.message_user(
            request,
            ngettext(
                "%(count)d message will be delivered again.",
                "%(count)d messages will be delivered again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


# Staff profiles (time zone, hub), with their inline on each user; tasks given up
# after crashing their worker (tickets/task_guard.py).
from tickets import staff_admin, task_guard_admin  # noqa: E402, F401
